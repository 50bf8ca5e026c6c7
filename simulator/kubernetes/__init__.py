"""kube-scheduler as Eirini used it: pure functions over plain dataclasses (kubernetes-eirini.md §2).

- :mod:`constants`: every number and message text, with its source;
- :mod:`cluster`: nodes, pods, taints and tolerations; ``assume``/``forget``;
- :mod:`profiles`: the ``legacy-2019`` and ``framework`` modes and :class:`KubeSchedulerSettings`;
- :mod:`filters`: the filter plugins (predicates) and the FailedScheduling message;
- :mod:`scores`: the score plugins (priorities), their normalisation and weights;
- :mod:`spreading`: PodTopologySpread and SelectorSpreadPriority;
- :mod:`sampling`: percentageOfNodesToScore and the rotating scan start;
- :mod:`scheduler`: one scheduling cycle, ``schedule_pod``, and its explanation;
- :mod:`queue`: the scheduling queue (activeQ, backoffQ, unschedulable pods).
"""
