"""Terminal output: colour on a terminal (unless NO_COLOR is set), plain text when piped."""

import os
import sys


class _Ui:
    def __init__(self):
        self.colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ \
            and os.environ.get("TERM") != "dumb"

    def _paint(self, code, text):
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def bold(self, text): return self._paint("1", text)
    def dim(self, text): return self._paint("2", text)
    def red(self, text): return self._paint("31", text)
    def green(self, text): return self._paint("32", text)
    def yellow(self, text): return self._paint("33", text)
    def cyan(self, text): return self._paint("36", text)

    def info(self, text):
        print(self.cyan("kata: ") + text, flush=True)

    def warn(self, text):
        print(self.yellow("kata: warning: ") + text, flush=True)

    def error(self, text):
        print(self.red("kata: error: ") + text, file=sys.stdout, flush=True)

    def bar(self, done, total, width=20):
        if total == 0:
            return ""
        filled = round(width * done / total)
        text = "#" * filled + "." * (width - filled)
        return f"[{self.green(text[:filled])}{self.dim(text[filled:])}] {done}/{total}"


ui = _Ui()
