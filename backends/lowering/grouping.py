"""Grouping Elemwise nodes into fused loops: the greedy, cycle-free grouping of one broadcast
pattern, and the loop steps of a group (split when it exceeds the operand/body limits)."""
from __future__ import annotations

from arignote import fusion as limits

from .body import _Memo, _single
from .steps import FallbackStep, LoopStep


# ------------------------------------------------------------------ grouping

_ACCEPT, _REACHES, _UNKNOWN, _DROP = range(4)


class _Grouper:
    """Greedy grouping of fusable nodes of one broadcast pattern, never creating a cycle.

    Every node is a unit (a group of fused nodes counts as one); ``succ`` holds
    the edges between units.  A node may join group g only if g reaches none of
    the units producing its inputs (else g would wait on itself), and g reaches
    at most ``limits.SEARCH_LIMIT`` units (a bound on the search: beyond it the join is
    refused).  Candidates, in order: the groups producing its inputs, groups
    reading one of its inputs of the same shape (siblings, newest first) and
    groups of all-ones shape (newest first); the first acceptable one is joined.

    Long graphs offer a node thousands of candidates that all reach its
    producers, so candidate lists are kept in segments whose members all reach
    one *witness* unit: when the witness reaches a producer, the whole segment
    is refused at once.  Groups that can never be joined again (too big, or
    reaching too many units) leave the lists.  The choices are those of
    trying every candidate in turn.
    """

    def __init__(self, fusable):
        self.succ: list = []
        self.groups: dict = {}
        self.pattern: dict = {}
        self.size: dict = {}
        self.gone: set = set()     # groups no node can join any more
        self.readers: dict = {}    # operand variable -> the group reading it (same shape), or _Cands
        self.by_pattern: dict = {}  # all-broadcastable pattern -> _Cands
        self.min_in = min((len(n.inputs) for n in fusable), default=0)

    def run(self, order, fusable):
        unit_of = {}
        for node in order:
            producers = {unit_of[v.owner] for v in node.inputs if v.owner is not None and v.owner in unit_of}
            gid = self._place(node, unit_of, producers) if node in fusable else None
            if gid is None:
                gid = self._new_unit()
            unit_of[node] = gid
            for p in producers:
                if p != gid:
                    self.succ[p].add(gid)
        return [self.groups[g] for g in sorted(self.groups)]

    def _new_unit(self):
        self.succ.append(set())
        return len(self.succ) - 1

    def _place(self, node, unit_of, producers):
        """Put fusable ``node`` in a group; its id."""
        pat = limits.pattern(node)
        self._pat, self._nin, self._P, self._hit = pat, len(node.inputs), producers, {}
        gid = self._join_producer(node, unit_of)
        scanned = []
        if gid is None:
            lists = [self.readers.get(v) for v in node.inputs if v.type.broadcastable == pat]
            if all(pat):
                lists.append(self.by_pattern.get(pat))
            for cands in lists:
                if type(cands) is int:  # a sole reader
                    if self._judge(cands) == _ACCEPT:
                        gid = cands
                        break
                    continue
                if cands is None or any(c is cands for c, _ in scanned):
                    continue
                g, region = self._scan(cands)
                scanned.append((cands, region))
                if g is not None:
                    gid = g
                    break
        if gid is None:
            gid = self._new_unit()
            self.groups[gid], self.pattern[gid], self.size[gid] = [], pat, 0
        for cands, region in scanned:
            cands.restore(region, gid)
        self.groups[gid].append(node)
        self.size[gid] += len(node.inputs) + len(node.outputs)
        if self.size[gid] + self.min_in + 2 > limits.MAX_BODY // 4:
            self.gone.add(gid)
        for v in node.inputs:
            if v.type.broadcastable == pat:
                r = self.readers.get(v)
                if r is None:
                    self.readers[v] = gid
                elif type(r) is int:
                    if r != gid:
                        self.readers[v] = _Cands([r, gid])
                else:
                    r.add(gid)
        if all(pat):
            self.by_pattern.setdefault(pat, _Cands()).add(gid)
        return gid

    def _fits(self, g):
        return self.pattern[g] == self._pat and self.size[g] + self._nin + 2 <= limits.MAX_BODY // 4

    def _join_producer(self, node, unit_of):
        """The first group producing an input of ``node`` that it may join, or None."""
        tried = set()
        for v in node.inputs:
            g = unit_of.get(v.owner) if v.owner is not None else None
            if g is None or g not in self.groups or g in tried or not self._fits(g):
                continue
            tried.add(g)
            if g in self.gone:
                continue
            h = self._probe(g) if len(self._P) > 1 else False
            if h is None or (h is False and self._too_far(g)):
                self.gone.add(g)
            elif h is False:
                return g
        return None

    def _judge(self, g):
        """The verdict on joining group ``g``, met in a candidate list."""
        if g in self.gone:
            return _DROP
        if g in self._P:
            return _REACHES  # judged (and refused) among the producers; it feeds the node's unit
        h = self._probe(g)
        if h is None:
            self.gone.add(g)
            return _DROP
        if h:
            return _REACHES
        if not self._fits(g):
            return _UNKNOWN
        if self._too_far(g):
            self.gone.add(g)
            return _DROP
        return _ACCEPT

    def _scan(self, cands):
        """Candidates of one list, newest first, until one is accepted: (group or None, refused region)."""
        region, segs = [], cands.segs
        while segs:
            wit, dq = segs.pop()
            if wit is not None:
                h = True if wit in self._P else self._probe(wit)
                if h is None:  # the witness reaches too many units, so does every member
                    self.gone.update(dq)
                    continue
                if h:
                    region.append(dq)
                    continue
            while dq:
                g = dq.pop()
                verdict = self._judge(g)
                if verdict == _ACCEPT:
                    dq.append(g)
                    segs.append([wit, dq])
                    return g, region
                if verdict == _REACHES:
                    region.append(g)
                elif verdict == _UNKNOWN:
                    region.append((g,))
        return None, region

    def _probe(self, root):
        """Does ``root`` reach a producer of the current node (other than itself)?  None when it
        reaches more than ``limits.SEARCH_LIMIT`` units.  Answers are shared while placing one node."""
        return limits.reaches(root, self._P, self.succ, limits.SEARCH_LIMIT, self._hit)

    def _too_far(self, g):
        """Does group ``g`` reach more than ``limits.SEARCH_LIMIT`` units?"""
        return limits.reaches(g, (), self.succ, limits.SEARCH_LIMIT) is None


class _Cands:
    """Candidate groups, oldest first, in segments ``[witness, list of groups]``: every group of a
    segment reaches its witness unit (None: nothing known)."""

    __slots__ = ("segs", "members")

    def __init__(self, groups=()):
        self.segs: list = [[None, list(groups)]] if groups else []
        self.members: set = set(groups)

    def add(self, g):
        if g in self.members:
            return
        self.members.add(g)
        if self.segs and self.segs[-1][0] is None:
            self.segs[-1][1].append(g)
        else:
            self.segs.append([None, [g]])

    def restore(self, region, w):
        """Put back a scanned region (newest first) once unit ``w`` is placed: refused members reach a
        producer, hence ``w``; members known nothing about keep no witness."""
        run, run_w = [], None
        for piece in reversed(region):
            pw = None if type(piece) is tuple else w
            if run and pw != run_w:
                self._push(run, run_w)
                run = []
            run_w = pw
            run.append(piece[0] if pw is None else piece)
        if run:
            self._push(run, run_w)

    def _push(self, pieces, w):
        """Append one segment made of ``pieces`` (lists or groups, oldest first), witness ``w``."""
        segs = self.segs
        if segs and segs[-1][0] == w:
            pieces.insert(0, segs.pop()[1])
        lists = [p if type(p) is list else [p] for p in pieces]
        big = max(range(len(lists)), key=lambda i: len(lists[i]))
        base = lists[big]
        if big:
            base[:0] = [g for p in lists[:big] for g in p]
        for p in lists[big + 1:]:
            base.extend(p)
        segs.append([w, base])


def _group_elemwise(order, fusable):
    """Groups of fusable nodes to run as one loop each (see _Grouper)."""
    return _Grouper(fusable).run(order, fusable)


# ------------------------------------------------------------------ loops


def _clients_of(fgraph, order, memo):
    """var -> client nodes: from ``order`` when it holds every node of the graph, else from the graph."""
    if memo.clients is None and len(getattr(fgraph, "apply_nodes", ())) == len(order):
        clients = memo.clients = {}
        for n in order:
            for v in n.inputs:
                clients.setdefault(v, []).append(n)
    return memo.clients


def _outside_clients(o, fgraph, memo, inside):
    if memo.clients is not None:
        return any(c not in inside for c in memo.clients.get(o, ()))
    return any(c not in inside for c, _ in fgraph.clients(o))


def _loop_step(nodes, fgraph, target, outputs_set, memo):
    """The LoopStep of ``nodes``, or (None, k): None when it exceeds the limits, k (not None) when
    already its first k nodes exceed the operand or body limit."""
    ndim = nodes[0].outputs[0].ndim
    b = _single(nodes[0], target, memo)
    if len(nodes) > 1:
        b = b.copy()
    for k, n in enumerate(nodes):
        if k:
            b.add_node(n)
        if len(b.body.vals) > limits.MAX_BODY or len(b.operands) > limits.MAX_OPERANDS:
            return None, k + 1
    inside = set(nodes)
    outs = [o for n in nodes for o in n.outputs
            if o in outputs_set or _outside_clients(o, fgraph, memo, inside)]
    if len(b.operands) + len(outs) > limits.MAX_OPERANDS or len(b.body.vals) > limits.MAX_BODY:
        return None, None
    return LoopStep(list(b.operands), outs, list(nodes), ndim=ndim,
                    bcast=[tuple(v.type.broadcastable) for v in b.operands], body=list(b.body.vals),
                    out_vals=[b.values[o] for o in outs], literals=dict(b.literals)), None


def _split_loop(nodes, fgraph, target, outputs_set, memo=None):
    """Loop steps for a group, halving it when it exceeds the operand/body limits.

    A part whose first k nodes already exceed them fails for any length >= k: it is not built again."""
    memo = memo if memo is not None else _Memo(target)
    work, done, fails_at = [(0, len(nodes))], [], {}
    while work:
        s, e = work.pop()
        step = None
        if e - s < fails_at.get(s, e - s + 1):
            step, k = _loop_step(nodes[s:e], fgraph, target, outputs_set, memo)
            if k is not None:
                fails_at[s] = k
        if step is not None or e - s == 1:
            done.append(step if step is not None else FallbackStep(list(nodes[s].inputs), list(nodes[s].outputs),
                                                                    nodes[s:e]))
            continue
        h = (e - s) // 2
        work.extend([(s + h, e), (s, s + h)])
    return done
