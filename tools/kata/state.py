"""What ./kata remembers between runs, in .kata/ (ignored by git): the latest verdict of each
kata and how many hints were shown. Derived from results, so deleting it loses nothing that a
new `./kata check` does not bring back."""

import json
import time

from bazel import STATE_DIR

_PATH = STATE_DIR / "state.json"


def load():
    try:
        return json.loads(_PATH.read_text())
    except (OSError, ValueError):
        return {}


def save(state):
    STATE_DIR.mkdir(exist_ok=True)
    tmp = _PATH.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    tmp.replace(_PATH)


def record_verdict(kata_id, verdict, seed=""):
    state = load()
    state.setdefault("katas", {})[kata_id] = {
        "verdict": verdict, "seed": seed, "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    save(state)


def verdict_of(kata_id, state=None):
    state = state if state is not None else load()
    return state.get("katas", {}).get(kata_id, {}).get("verdict")


def next_hint(kata_id, total):
    """The index of the hint to show now (0-based), advancing the counter; None past the last."""
    state = load()
    shown = state.setdefault("hints", {}).get(kata_id, 0)
    if shown >= total:
        return None
    state["hints"][kata_id] = shown + 1
    save(state)
    return shown
