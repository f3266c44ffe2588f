// The watchdog's summary names the repository's files, however the debug information spells them.
#include "harness/stacks.h"

#include <gtest/gtest.h>

namespace {

using kata::grading::repository_path;

TEST(RepositoryPath, DropsTheExecutionRootAndTheOutputTree) {
  EXPECT_EQ(repository_path("/proc/self/cwd/exercises/sync/counter.cc", "exercises/sync/"),
            "exercises/sync/counter.cc");
  EXPECT_EQ(repository_path("bazel-out/k8-fastbuild/bin/graders/sync/mutants/counter/x/counter.cc",
                            "graders/sync/mutants/counter/x/"),
            "graders/sync/mutants/counter/x/counter.cc");
  EXPECT_EQ(repository_path("graders/sync/counter_grader.cc", ""), "graders/sync/counter_grader.cc");
}

TEST(RepositoryPath, LeadsTheImplementationsHeadersToItsDirectory) {
  EXPECT_EQ(repository_path("/proc/self/cwd/bazel-out/k8-fastbuild/bin/exercises/futures/"
                            "_virtual_includes/future/futures/future.h",
                            "exercises/futures/"),
            "exercises/futures/future.h");
  EXPECT_EQ(repository_path("/proc/self/cwd/bazel-out/k8-fastbuild/bin/graders/futures/"
                            "_virtual_includes/future_mutant_unlocked_status/futures/future.h",
                            "graders/futures/mutants/future/unlocked_status/"),
            "graders/futures/mutants/future/unlocked_status/future.h");
}

TEST(RepositoryPath, LeavesAnotherPackagesHeadersInThatPackage) {
  EXPECT_EQ(repository_path("bazel-out/k8-fastbuild/bin/solutions/futures/"
                            "_virtual_includes/future/futures/future.h",
                            "exercises/futures/"),
            "solutions/futures/future.h");
}

}  // namespace
