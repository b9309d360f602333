"""Regression trees for BART, held as flat NumPy data so that a tree's output on the
training rows is one array updated in place as it grows.

Nodes are numbered as in a binary heap (children of ``i`` are ``2i+1`` and ``2i+2``,
depth ``floor(log2(i+1))``).  A split node sends a row left when ``x[var] <= value``;
rows with a missing (NaN) ``x[var]`` go right.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Tree", "split_probabilities", "node_depth", "leaf_prior", "pick_column", "split_values",
           "prior_sum_of_trees"]


def node_depth(node: int) -> int:
    return int(math.floor(math.log2(node + 1)))


def split_probabilities(alpha: float) -> np.ndarray:
    """P(a node at depth d splits) = alpha**d, the root always splitting (Rockova and Saha
    2018's prior, as PyMC3 3.11); the list ends where the probability rounds to 0."""
    probs = [1.0]
    while 1.0 - alpha ** len(probs) < 1.0:
        probs.append(alpha ** len(probs))
    return np.asarray(probs)


def leaf_prior(Y, m):
    """Mean and variance of a leaf value's prior: ``N(mean(Y)/m, (range(Y)/(4 sqrt m))^2)``
    (Chipman, George and McCulloch 2010 with k = 2: the sum of m leaves spans Y's range)."""
    spread = float(Y.max() - Y.min()) or float(np.abs(Y).max()) or 1.0
    return float(Y.mean()) / m, (spread / (4.0 * math.sqrt(m))) ** 2


def pick_column(cdf, u) -> int:
    """The column whose share of the cumulative split prior ``cdf`` holds ``u`` in [0, 1)."""
    return min(int(np.searchsorted(cdf, u * cdf[-1], side="right")), len(cdf) - 1)


def split_values(column):
    """The values a node may split at: its distinct non-missing values but the largest."""
    values = np.unique(column[~np.isnan(column)])
    return values[:-1]


def prior_sum_of_trees(columns, m, alpha, cdf, leaf_mean, leaf_sd, rng) -> np.ndarray:
    """One draw of the sum of ``m`` trees from the prior at the rows of ``columns`` (p, n)."""
    split_p = split_probabilities(alpha)
    out = np.zeros(columns.shape[1])
    for _ in range(m):
        stack = [(0, np.arange(columns.shape[1]))]
        while stack:
            node, rows = stack.pop()
            depth = node_depth(node)
            if depth < len(split_p) and rng.random() < split_p[depth]:
                column = columns[pick_column(cdf, rng.random())][rows]
                values = split_values(column)
                if values.size:
                    goes_left = column <= values[rng.integers(values.size)]
                    stack += [(2 * node + 1, rows[goes_left]), (2 * node + 2, rows[~goes_left])]
                    continue
            out[rows] += leaf_mean + leaf_sd * rng.standard_normal()
    return out


class Tree:
    """One tree: split nodes ``{node: (var, value)}``, leaf values ``{node: value}``, the
    training rows of each leaf and ``output`` (its value on every training row)."""

    __slots__ = ("splits", "leaves", "rows", "output")

    def __init__(self, splits, leaves, rows, output):
        self.splits = splits
        self.leaves = leaves
        self.rows = rows
        self.output = output

    @classmethod
    def stump(cls, value: float, n: int) -> "Tree":
        """A single leaf holding every training row."""
        return cls({}, {0: float(value)}, {0: np.arange(n)}, np.full(n, float(value)))

    def copy(self) -> "Tree":
        # rows arrays are never written after creation, so they are shared
        return Tree(dict(self.splits), dict(self.leaves), dict(self.rows), self.output.copy())

    def split(self, node: int, var: int, value: float, left_rows, right_rows, left_value, right_value):
        """Turn leaf ``node`` into a split node with two new leaves."""
        left, right = 2 * node + 1, 2 * node + 2
        del self.leaves[node]
        del self.rows[node]
        self.splits[node] = (int(var), float(value))
        self.leaves[left], self.leaves[right] = float(left_value), float(right_value)
        self.rows[left], self.rows[right] = left_rows, right_rows
        self.output[left_rows] = left_value
        self.output[right_rows] = right_value

    def set_leaf(self, node: int, value: float) -> None:
        self.leaves[node] = float(value)
        self.output[self.rows[node]] = value

    def used_variables(self) -> list:
        return [var for var, _ in self.splits.values()]

    def predict(self, X) -> np.ndarray:
        """The tree's value at the rows of a new design matrix ``X`` (n, p)."""
        X = np.asarray(X, dtype=float)
        out = np.empty(X.shape[0])
        stack = [(0, np.arange(X.shape[0]))]
        while stack:
            node, idx = stack.pop()
            if node in self.leaves:
                out[idx] = self.leaves[node]
                continue
            var, value = self.splits[node]
            goes_left = X[idx, var] <= value
            stack.append((2 * node + 1, idx[goes_left]))
            stack.append((2 * node + 2, idx[~goes_left]))
        return out

    def __repr__(self):
        return f"Tree(splits={len(self.splits)}, leaves={len(self.leaves)})"
