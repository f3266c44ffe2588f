"""Schedule noise at atomic operations (graders/support/atomic_noise.cc), in TSan builds only.

Every grader links the wrappers and asks the linker to route ThreadSanitizer's atomic entry
points through them. Both lists must name the same functions: a wrapper without its --wrap, or
the reverse, fails at link time.
"""

_OPERATIONS = [
    "load",
    "store",
    "exchange",
    "fetch_add",
    "fetch_sub",
    "fetch_and",
    "fetch_or",
    "fetch_xor",
    "compare_exchange_strong",
    "compare_exchange_weak",
    "compare_exchange_val",
]

_WRAPPED = [
    "__tsan_atomic%d_%s" % (bits, operation)
    for bits in [8, 16, 32, 64, 128]
    for operation in _OPERATIONS
]

ATOMIC_NOISE_DEPS = select({
    "@//tools:sanitizer_asan": [],
    "@//tools:sanitizer_ubsan": [],
    "@//tools:sanitizer_none": [],
    "//conditions:default": ["//graders/support:atomic_noise"],
})

ATOMIC_NOISE_LINKOPTS = select({
    "@//tools:sanitizer_asan": [],
    "@//tools:sanitizer_ubsan": [],
    "@//tools:sanitizer_none": [],
    "//conditions:default": ["-Wl,--wrap=" + ",--wrap=".join(_WRAPPED)],
})
