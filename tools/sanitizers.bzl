"""Compiler and linker flags of the sanitizer chosen by --define=sanitizer=... (tsan by default)."""

_COMMON = ["-g", "-fno-omit-frame-pointer"]

SANITIZER_COPTS = select({
    "@//tools:sanitizer_asan": _COMMON + ["-O1", "-fsanitize=address"],
    "@//tools:sanitizer_ubsan": _COMMON + ["-O1", "-fsanitize=undefined", "-fno-sanitize-recover=all"],
    "@//tools:sanitizer_none": [],
    "//conditions:default": _COMMON + ["-O1", "-fsanitize=thread"],
})

SANITIZER_LINKOPTS = select({
    "@//tools:sanitizer_asan": ["-fsanitize=address"],
    "@//tools:sanitizer_ubsan": ["-fsanitize=undefined"],
    "@//tools:sanitizer_none": [],
    "//conditions:default": ["-fsanitize=thread"],
})
