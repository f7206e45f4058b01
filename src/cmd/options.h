/* Option tables, in the manner of git's parse-options: a verb declares
 * the options it takes (names, argument, help, where the value goes), and
 * both its parser and its -h come from that one table, so the help and
 * what is accepted cannot disagree.
 *
 * Adding an option to a verb: one entry in its table (check_opts.c for
 * the verbs that fill struct check_opts); README's Commands section says
 * the same in prose. */
#ifndef KSTALL_OPTIONS_H
#define KSTALL_OPTIONS_H

#include "../lib/util.h"

enum opt_type {
	OPT_END = 0,
	OPT_STRING,   /* const char *: the argument as given */
	OPT_NUMBER,   /* double within [min, max] */
	OPT_INT,      /* int within [min, max], a whole number */
	OPT_INT_LIST, /* repeatable int within [min, max]: int * + count, a value
		       * given twice is kept once, in the order first given */
	OPT_CHOICE,   /* int: the value of one of the named choices */
};

struct opt_choice {
	const char *name;
	int value;
};

struct option {
	enum opt_type type;
	char short_name;       /* 0: none */
	const char *long_name; /* without the dashes */
	const char *argh;      /* the value's name in the help ("S", "DIR");
				* OPT_CHOICE: the choices, "a|b" */
	const char *help;
	void *value;           /* where the value goes */
	bool *seen;            /* optional: set when the option is given */
	bool required;         /* the verb cannot run without it */
	/* OPT_NUMBER, OPT_INT, OPT_INT_LIST: what the value is, for errors
	 * ("seconds", "a process id"), and its range (min_open: more than
	 * min, not min itself; max 0: no upper bound). */
	const char *want;
	double min, max;
	bool min_open;
	const struct opt_choice *choices; /* OPT_CHOICE: ends at a NULL name */
	size_t *count;                    /* OPT_INT_LIST: the number of values */
};

/* A verb: its name as typed after kstall ("" for plain kstall), the
 * positional arguments it takes, what it does, and its options. */
struct verb_spec {
	const char *name;
	const char *args;     /* in the usage line: "FILE", "[ID]"; NULL: none */
	size_t min_args, max_args;
	const char *summary;  /* a paragraph, wrapped when printed */
	const char *notes;    /* optional, after the options, printed as is */
	const struct option *opts; /* ends at OPT_END */
};

enum { PARSE_OPT_HELP = -2 };

/* Parse argv[1..argc-1] (argv[0] is the verb) against spec: options and
 * positional arguments in any order, "--" ends the options, a long option
 * takes its value as "--name V" or "--name=V", a short one as "-x V" or
 * "-xV". Returns the number of positional arguments, moved to
 * argv[1..n]; -1 after printing a usage error to stderr (an option the
 * verb does not take, a bad value, a missing or extra argument);
 * PARSE_OPT_HELP after printing the verb's usage to stdout (-h, --help).
 * others: the options of the other verbs (NULL-terminated, may be NULL),
 * so that an option of another verb is named as such rather than as
 * unknown. */
int parse_options(int argc, char **argv, const struct verb_spec *spec, const struct verb_spec *const *others);

/* The usage of spec: "usage:" line, summary, options with their help. */
void usage_with_options(FILE *out, const struct verb_spec *spec);
/* Only the options part, as listed by usage_with_options. */
void options_print(FILE *out, const struct option *opts);

/* "kstall: <message> (see kstall VERB --help)", to stderr; the verb is
 * the one parse_options last parsed for. */
void usage_error(const char *fmt, ...) PRINTF_FMT(1, 2);

#endif
