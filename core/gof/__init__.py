"""Theano's ``theano.gof``: the graph core and the optimizer API, under Theano's names."""
from ..fg import FunctionGraph, InconsistencyError
from ..graph import Apply, Constant, Op, Variable
from ..types import GenericType as Generic, Type, generic
from . import fg, graph, op, opt, optdb, toolbox, type, utils  # noqa: F401
from .cop import COp
from .op import PureOp
from .opt import (EquilibriumOptimizer, GlobalOptimizer, LocalOptGroup, LocalOptimizer, MergeOptimizer,
                  NavigatorOptimizer, OpRemove, OpSub, Optimizer, PatternSub, SeqOptimizer, TopoOptimizer, in2out,
                  local_optimizer, out2in)
from .optdb import DB, EquilibriumDB, Query, SequenceDB
from .toolbox import Feature, NodeFinder, ReplaceValidate
from .utils import MethodNotDefined

__all__ = ["FunctionGraph", "InconsistencyError", "Apply", "Constant", "Op", "Variable", "Type", "Generic",
           "generic", "COp", "PureOp", "EquilibriumOptimizer", "GlobalOptimizer", "LocalOptGroup",
           "LocalOptimizer", "MergeOptimizer", "NavigatorOptimizer", "OpRemove", "OpSub", "Optimizer",
           "PatternSub", "SeqOptimizer", "TopoOptimizer", "in2out", "out2in", "local_optimizer", "DB",
           "EquilibriumDB", "Query", "SequenceDB", "Feature", "NodeFinder", "ReplaceValidate",
           "MethodNotDefined"]
