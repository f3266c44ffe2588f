"""One macro per role wires a track's katas from its metadata (exercises/<track>/katas.bzl).

  exercises/<track>/BUILD:  kata_exercises(TRACK)  the learner's libraries and their graders
  solutions/<track>/BUILD:  kata_solutions(TRACK)  the reference solutions and their graders
  graders/<track>/BUILD:    kata_mutants(TRACK)    every known-buggy implementation, graded

Each kata's library exposes its headers as "<track>/<file>", so the grader's
`#include "<track>/<kata>.h"` finds the exercise, the solution or a mutant, whichever the test
links. Adding a kata is adding its files and one entry to the track's katas.bzl.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")
load("//tools:atomic_noise.bzl", "ATOMIC_NOISE_DEPS", "ATOMIC_NOISE_LINKOPTS")
load("//tools:sanitizers.bzl", "SANITIZER_COPTS", "SANITIZER_LINKOPTS")

_WARNINGS = ["-Wall", "-Wextra"]

# Preloaded beneath ThreadSanitizer when KATA_NOISE=1 (graders/support/noise/noise.c).
_NOISE = "//graders/support/noise:libkata_noise.so"

def _kata_facts_impl(ctx):
    lines = ["file\t" + f.short_path for f in ctx.files.files]
    for regex, what in zip(ctx.attr.forbidden_regexes, ctx.attr.forbidden_names):
        lines.append("forbidden\t%s\t%s" % (what, regex))
    ctx.actions.write(ctx.outputs.out, "\n".join(lines) + "\n")
    return [DefaultInfo(
        files = depset([ctx.outputs.out]),
        runfiles = ctx.runfiles(files = [ctx.outputs.out]),
    )]

# What the harness needs to know about the implementation under test: its files and the
# primitives the kata forbids (graders/support/forbidden.h reads this).
_kata_facts = rule(
    implementation = _kata_facts_impl,
    attrs = {
        "files": attr.label_list(allow_files = True),
        "forbidden_regexes": attr.string_list(),
        "forbidden_names": attr.string_list(),
    },
    outputs = {"out": "%{name}.facts"},
)

def _headers(files):
    return [f for f in files if f.endswith(".h")]

def _sources(files):
    return [f for f in files if not f.endswith(".h")]

def _grader_test(name, track, kata, impl, impl_dir, files, tags = []):
    """The kata's grader (graders/<track>/<kata>_grader.cc) linked against `impl`."""
    forbidden = kata.get("forbidden", [])
    _kata_facts(
        name = name + "_facts",
        files = files,
        forbidden_regexes = [pattern for pattern, _ in forbidden],
        forbidden_names = [what for _, what in forbidden],
        tags = tags,
    )
    common = dict(
        srcs = ["//graders/%s:%s_grader.cc" % (track["name"], kata["name"])],
        args = [
            "--kata_impl_dir=" + impl_dir,
            "--kata_facts=$(rootpath :%s_facts)" % name,
            "--kata_noise_lib=$(rootpath %s)" % _NOISE,
        ],
        # grader_data: programs and files the grader needs at run time (found in its runfiles).
        data = [":%s_facts" % name, _NOISE] + files + kata.get("grader_data", []),
        copts = SANITIZER_COPTS + _WARNINGS,
        linkopts = SANITIZER_LINKOPTS + ATOMIC_NOISE_LINKOPTS,
        linkstatic = True,
        size = "small",
        timeout = "moderate",
        deps = [
            impl,
            "//graders/support:harness",
            "@com_google_googletest//:gtest",
        ] + ATOMIC_NOISE_DEPS + kata.get("grader_deps", []),
    )
    cc_test(name = name, tags = tags, **common)
    if kata.get("asan"):
        # The same grader under AddressSanitizer and LeakSanitizer (leaked coroutine frames,
        # use after free): run with --config=asan, which `./kata` does for such katas.
        cc_test(name = name + "_asan", tags = tags + ["manual", "asan"], **common)

def _benchmark(name, track, kata, impl):
    """`<kata>_bench`: graders/<track>/<kata>_bench.cc (Google Benchmark, Debian's
    libbenchmark-dev) against `impl`. Run optimised and without a sanitizer:
    `bazel run --config=bench //solutions/<track>:<kata>_bench` or `./kata bench`."""
    cc_binary(
        name = name,
        srcs = ["//graders/%s:%s_bench.cc" % (track["name"], kata["name"])],
        copts = SANITIZER_COPTS + _WARNINGS,
        linkopts = SANITIZER_LINKOPTS + ["-lbenchmark", "-lpthread"] + kata.get("bench_linkopts", []),
        tags = ["manual", "bench"],
        deps = [impl, "//graders/support:bench"] + kata.get("bench_deps", []),
    )

def _kata_library(name, track, kata, hdrs, srcs, strip_include_prefix, visibility, deps = []):
    cc_library(
        name = name,
        hdrs = hdrs,
        srcs = srcs,
        copts = SANITIZER_COPTS + _WARNINGS,
        linkopts = SANITIZER_LINKOPTS,
        strip_include_prefix = strip_include_prefix,
        include_prefix = track["name"],
        visibility = visibility,
        deps = ["//exercises:not_implemented"] + kata.get("deps", []) + deps,
    )

def _builds_on(track, kata):
    """The reference solutions a kata links: katas of its track it builds on ("builds_on"), so
    one unfinished kata never blocks the next."""
    return ["//solutions/%s:%s" % (track["name"], name) for name in kata.get("builds_on", [])]

def kata_exercises(track):
    """The learner's side: `<kata>` libraries and `<kata>_test` graders in exercises/<track>."""
    for kata in track["katas"]:
        files = kata["learner_files"]
        _kata_library(
            name = kata["name"],
            track = track,
            kata = kata,
            hdrs = _headers(files),
            srcs = _sources(files),
            strip_include_prefix = "",
            visibility = ["//visibility:private"],
            deps = _builds_on(track, kata),
        )
        _grader_test(
            name = kata["name"] + "_test",
            track = track,
            kata = kata,
            impl = ":" + kata["name"],
            impl_dir = "exercises/%s/" % track["name"],
            files = files,
        )
        if kata.get("bench"):
            _benchmark(kata["name"] + "_bench", track, kata, ":" + kata["name"])

def kata_solutions(track):
    """The reference side: `<kata>` libraries and `<kata>_test` graders in solutions/<track>.

    A solution is visible to the graders and the other solutions; to the track's exercises only
    when a later kata builds on it (and then only through that kata's declared dependency)."""
    visible = ["//graders:__subpackages__", "//solutions:__subpackages__"]
    built_on = [name for kata in track["katas"] for name in kata.get("builds_on", [])]
    for kata in track["katas"]:
        files = kata["learner_files"]
        _kata_library(
            name = kata["name"],
            track = track,
            kata = kata,
            hdrs = _headers(files),
            srcs = _sources(files),
            strip_include_prefix = "",
            visibility = visible + (
                ["//exercises/%s:__pkg__" % track["name"]] if kata["name"] in built_on else []
            ),
            deps = _builds_on(track, kata),
        )

        # The solution's headers alone, for mutants that change only a source file.
        cc_library(
            name = kata["name"] + "_headers",
            hdrs = _headers(files),
            strip_include_prefix = "",
            include_prefix = track["name"],
            visibility = visible,
            deps = ["//exercises:not_implemented"] + kata.get("deps", []) + _builds_on(track, kata),
        )
        _grader_test(
            name = kata["name"] + "_test",
            track = track,
            kata = kata,
            impl = ":" + kata["name"],
            impl_dir = "solutions/%s/" % track["name"],
            files = files,
        )
        if kata.get("bench"):
            _benchmark(kata["name"] + "_bench", track, kata, ":" + kata["name"])
    native.exports_files(
        [f for kata in track["katas"] for f in kata["learner_files"]],
        visibility = ["//graders:__subpackages__"],
    )

def _mutant_files(track, kata, directory):
    """The kata files a mutant changes, as labels in graders/<track>: a full copy in its
    directory, or the solution patched by `<file>.diff` (tools/mutant_diff.py), generated at the
    same path so that its headers keep their "<track>/<file>" include path."""
    own = [f.split("/")[-1] for f in native.glob([directory + "/*"])]
    for name in own:
        changes = name[:-len(".diff")] if name.endswith(".diff") else name
        if changes not in kata["learner_files"]:
            fail("%s/%s is neither a file of kata %s nor a .diff of one" %
                 (directory, name, kata["name"]))
    changed = []
    for name in kata["learner_files"]:
        path = directory + "/" + name
        if name + ".diff" in own:
            if name in own:
                fail("%s: both a full copy and a .diff; keep one" % path)
            solution = "//solutions/%s:%s" % (track["name"], name)
            native.genrule(
                name = (path + "_patched").replace("/", "_").replace(".", "_"),
                srcs = [solution, path + ".diff"],
                outs = [path],
                cmd = "python3 $(location //tools:mutant_diff.py) apply $(location %s) $(location %s) $@" %
                      (solution, path + ".diff"),
                tools = ["//tools:mutant_diff.py"],
                visibility = ["//visibility:private"],
            )
        if name in own or name + ".diff" in own:
            changed.append(name)
    return changed

def kata_mutants(track):
    """`<kata>_mutant_<bug>_test` for every mutant under graders/<track>/mutants/<kata>/<bug>/.

    A mutant directory holds its own version of some of the kata's files, each as `<file>.diff`
    against the reference solution (or as a full copy); the other files come from the reference
    solution. Mutant tests fail by design, so they are tagged manual and run by
    `./kata selftest`, which checks each verdict against the one declared in katas.bzl.
    """
    solutions = "//solutions/%s" % track["name"]
    for kata in track["katas"]:
        native.exports_files([kata["name"] + "_grader.cc"] +
                             ([kata["name"] + "_bench.cc"] if kata.get("bench") else []))
        for bug in kata.get("mutants", {}):
            directory = "mutants/%s/%s" % (kata["name"], bug)
            changed = _mutant_files(track, kata, directory)
            hdrs = [directory + "/" + f for f in _headers(kata["learner_files"]) if f in changed]
            srcs = [
                (directory + "/" + f) if f in changed else "%s:%s" % (solutions, f)
                for f in _sources(kata["learner_files"])
            ]
            deps = []
            if len(hdrs) < len(_headers(kata["learner_files"])):
                deps.append("%s:%s_headers" % (solutions, kata["name"]))
            deps += _builds_on(track, kata)
            library = "%s_mutant_%s" % (kata["name"], bug)
            _kata_library(
                name = library,
                track = track,
                kata = kata,
                hdrs = hdrs,
                srcs = srcs,
                strip_include_prefix = directory,
                visibility = ["//visibility:private"],
                deps = deps,
            )
            _grader_test(
                name = library + "_test",
                track = track,
                kata = kata,
                impl = ":" + library,
                impl_dir = "graders/%s/%s/" % (track["name"], directory),
                files = hdrs + srcs,
                tags = ["manual", "mutant"],
            )
