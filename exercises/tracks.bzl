"""The learning path: the tracks in the order a learner takes them.

Each track's katas, in order, are in exercises/<track>/katas.bzl. `./kata list` and `./kata next`
follow this order.
"""

PATH = [
    "threads",
    "sync",
    "futures",
    "models",
    "processes",
    "async",
    "classics",
]
