// The forbidden-primitive check finds uses in code and ignores comments and literals.
#include "harness/forbidden.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace {

using kata::grading::blank_comments_and_literals;
using kata::grading::find_forbidden;

const std::vector<kata::grading::ForbiddenPattern> kSemaphore = {
    {"\\bstd::counting_semaphore\\b", "std::counting_semaphore"},
    {"\\bsem_(init|wait|post|timedwait|trywait|destroy)\\b", "POSIX sem_*"},
};

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") +
                     "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(BlankCommentsAndLiterals, KeepsCodeAndLineBreaks) {
  std::string source = "int a = 1; // std::counting_semaphore\nint b; /* sem_wait\n */ int c;\n";
  std::string blanked = blank_comments_and_literals(source);
  EXPECT_EQ(blanked.size(), source.size());
  EXPECT_EQ(blanked.find("counting_semaphore"), std::string::npos);
  EXPECT_EQ(blanked.find("sem_wait"), std::string::npos);
  EXPECT_NE(blanked.find("int a = 1;"), std::string::npos);
  EXPECT_NE(blanked.find("int c;"), std::string::npos);
  EXPECT_EQ(std::count(blanked.begin(), blanked.end(), '\n'), 3);
}

TEST(BlankCommentsAndLiterals, BlanksStringsCharactersAndRawStrings) {
  std::string source =
      "auto s = \"std::counting_semaphore \\\" still a string\"; char q = '\"'; int n = 1'000;\n"
      "auto r = R\"x(sem_post(\"quoted\"))x\"; int after;\n";
  std::string blanked = blank_comments_and_literals(source);
  EXPECT_EQ(blanked.find("counting_semaphore"), std::string::npos);
  EXPECT_EQ(blanked.find("still"), std::string::npos);
  EXPECT_EQ(blanked.find("sem_post"), std::string::npos);
  EXPECT_NE(blanked.find("int n = 1'000;"), std::string::npos) << "a digit separator is code";
  EXPECT_NE(blanked.find("int after;"), std::string::npos);
}

TEST(FindForbidden, ReportsAUseInCodeWithItsLine) {
  std::string path = write_temp("uses.h",
                                "#include <semaphore>\n"
                                "// std::counting_semaphore is what we must not use\n"
                                "class S { std::counting_semaphore<8> inner_{0}; };\n");
  auto uses = find_forbidden({path}, kSemaphore);
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].what, "std::counting_semaphore");
  EXPECT_EQ(uses[0].line, 3);
}

TEST(FindForbidden, IgnoresTheSameWordsInCommentsAndStrings) {
  std::string path = write_temp("clean.cc",
                                "// Unlike std::counting_semaphore, this one is ours.\n"
                                "/* sem_wait(&s); */\n"
                                "const char* why = \"not std::counting_semaphore\";\n"
                                "void semaphore_wait_for_it();  // a different name\n");
  EXPECT_TRUE(find_forbidden({path}, kSemaphore).empty());
}

TEST(FindForbidden, FindsPosixCalls) {
  std::string path = write_temp("posix.cc", "void f(sem_t* s) { sem_post(s); }\n");
  auto uses = find_forbidden({path}, kSemaphore);
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].what, "POSIX sem_*");
}

}  // namespace
