"""The 6.12 backport of the selftest patches' build glue (oldbase.port)."""

import unittest

from harness import oldbase
from harness.common import HarnessError


class PortMakefile(unittest.TestCase):
    def test_changed_list_line_gets_the_new_words(self):
        lines = ["TEST_GEN_PROGS := get_syscall_info peeksiginfo vmaccess",
                 "", "include ../lib.mk"]
        hunk = [(" ", "CFLAGS += -Wall"), (" ", ""),
                ("-", "TEST_GEN_PROGS := get_syscall_info set_syscall_info "
                      "peeksiginfo vmaccess"),
                ("+", "TEST_GEN_PROGS := get_syscall_info set_syscall_info "
                      "peeksiginfo vmaccess syscall_exit_stops"),
                (" ", ""), (" ", "include ../lib.mk")]
        oldbase._port_makefile(lines, hunk)
        self.assertEqual(lines[0], "TEST_GEN_PROGS := get_syscall_info "
                         "peeksiginfo vmaccess syscall_exit_stops")

    def test_continued_statement(self):
        lines = ["TEST_GEN_PROGS = basic_test param_test \\",
                 "\t\tparam_test_benchmark", "", "X = 1"]
        hunk = [(" ", "TEST_GEN_PROGS = basic_test mm_cid_test \\"),
                ("-", "\t\t param_test_benchmark"),
                ("+", "\t\t param_test_benchmark \\"),
                ("+", "\t\t syscall_debug_test"), (" ", "")]
        oldbase._port_makefile(lines, hunk)
        self.assertEqual(lines[1], "\t\tparam_test_benchmark "
                         "syscall_debug_test")
        self.assertEqual(lines[2:], ["", "X = 1"])

    def test_added_block_after_the_same_variable(self):
        lines = ["# SPDX", "TEST_GEN_PROGS := a b", "", "include ../lib.mk"]
        hunk = [(" ", "CFLAGS += x"), (" ", ""),
                (" ", "TEST_GEN_PROGS := a b c"), (" ", ""),
                ("+", "ifneq ($(X),)"), ("+", "TEST_GEN_FILES := y"),
                ("+", "endif"), ("+", ""), (" ", "include ../lib.mk")]
        oldbase._port_makefile(lines, hunk)
        self.assertEqual(lines, ["# SPDX", "TEST_GEN_PROGS := a b", "",
                                 "ifneq ($(X),)", "TEST_GEN_FILES := y",
                                 "endif", "", "include ../lib.mk"])

    def test_a_statement_added_after_the_changed_one_stays_its_own(self):
        lines = ["TEST_GEN_PROGS := a b", "", "include ../lib.mk"]
        hunk = [("-", "TEST_GEN_PROGS := a b c"),
                ("+", "TEST_GEN_PROGS := a b c d"),
                ("+", "LOCAL_HDRS += d.h"), (" ", ""),
                (" ", "include ../lib.mk")]
        oldbase._port_makefile(lines, hunk)
        self.assertEqual(lines, ["TEST_GEN_PROGS := a b d",
                                 "LOCAL_HDRS += d.h", "",
                                 "include ../lib.mk"])

    def test_a_variable_the_target_lacks_gets_a_statement(self):
        lines = ["TEST_FILES := test.d", "EXTRA_CLEAN := x", "",
                 "include ../lib.mk"]
        hunk = [(" ", "EXTRA_CLEAN := x"), (" ", ""),
                ("-", "TEST_GEN_FILES := poll"),
                ("+", "TEST_GEN_FILES := poll helper"),
                ("+", "LOCAL_HDRS += h.h"), (" ", ""),
                (" ", "include ../lib.mk")]
        oldbase._port_makefile(lines, hunk)
        self.assertEqual(lines, ["TEST_FILES := test.d", "EXTRA_CLEAN := x",
                                 "", "TEST_GEN_FILES += helper",
                                 "LOCAL_HDRS += h.h", "include ../lib.mk"])

    def test_a_removed_word_is_not_ported(self):
        lines = ["TEST_GEN_PROGS := a b"]
        hunk = [("-", "TEST_GEN_PROGS := a b"), ("+", "TEST_GEN_PROGS := a")]
        with self.assertRaises(HarnessError):
            oldbase._port_makefile(lines, hunk)

    def test_a_block_without_context_is_refused(self):
        lines = ["something else"]
        hunk = [(" ", "not there"), ("+", "new")]
        with self.assertRaises(HarnessError):
            oldbase._port_makefile(lines, hunk)


if __name__ == "__main__":
    unittest.main()
