"""GoogleTest/GoogleMock sources: Debian's package when installed, else a pinned archive."""

_DEBIAN_SOURCES = "/usr/src/googletest"
_VERSION = "1.12.1"
_ARCHIVE_URL = "https://github.com/google/googletest/archive/refs/tags/release-%s.tar.gz" % _VERSION
_ARCHIVE_SHA256 = "81964fe578e9bd7c94dfdb09c8e4d6e6759e19967e397dbea48d1c10e45d0df2"

def _googletest_repository_impl(rctx):
    local = rctx.path(_DEBIAN_SOURCES)
    if rctx.path(_DEBIAN_SOURCES + "/googletest/src/gtest-all.cc").exists:
        for part in ["googletest", "googlemock"]:
            rctx.symlink(local.get_child(part), part)
    else:
        # Machines with a network but without Debian's package (bazelisk users elsewhere).
        rctx.download_and_extract(
            url = _ARCHIVE_URL,
            sha256 = _ARCHIVE_SHA256,
            stripPrefix = "googletest-release-%s" % _VERSION,
        )
    rctx.symlink(rctx.attr.build_file, "BUILD.bazel")
    rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.name)

googletest_repository = repository_rule(
    implementation = _googletest_repository_impl,
    attrs = {
        "build_file": attr.label(default = "//third_party/googletest:googletest.BUILD"),
    },
    local = True,
    doc = "GoogleTest " + _VERSION + " sources, offline when Debian's googletest is installed.",
)
