/*
 * Shared main() for the Check unit tests: each tests/unit/test_*.c builds
 * into its own program, defines one suite and ends with ML_CHECK_MAIN(fn).
 */
#ifndef ML_CHECK_MAIN_H
#define ML_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define ML_CHECK_MAIN(suite_function)                                      \
	int main(void)                                                     \
	{                                                                  \
		SRunner *runner = srunner_create(suite_function());        \
		srunner_run_all(runner, CK_NORMAL);                        \
		int failed = srunner_ntests_failed(runner);                \
		srunner_free(runner);                                      \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;               \
	}

#endif
