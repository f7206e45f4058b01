/* The option parser and the usage it prints, both from a verb's table
 * (options.h). */
#include "options.h"
#include "cmd.h"

#include <math.h>

#define HELP_COL 26
#define HELP_WIDTH 80

/* The verb being parsed, for usage_error's pointer to its --help. */
static const char *usage_verb;

void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("kstall: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (usage_verb && *usage_verb)
		fprintf(stderr, " (see kstall %s --help)\n", usage_verb);
	else
		fputs(" (see kstall --help)\n", stderr);
}

static const char *verb_label(const char *name)
{
	return *name ? name : "kstall without a command";
}

/* What the user typed, made inert for the terminal it is echoed to. */
static char *shown(const char *s)
{
	return sanitize_tty(s);
}

static const struct option *find_long(const struct option *o, const char *name, size_t len)
{
	for (; o && o->type != OPT_END; o++)
		if (o->long_name && strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct option *find_short(const struct option *o, char c)
{
	for (; o && o->type != OPT_END; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

/* "a, b or c" */
static void list_words(struct buf *b, const char *const *w, size_t n, const char *last_sep)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? last_sep : ", ", w[i]);
}

/* The option is not in spec: say which other verbs take it, or that it
 * is unknown. name is what was typed up to any '='. */
static void not_taken(const struct verb_spec *spec, const struct verb_spec *const *others, const char *typed,
		      size_t len)
{
	const char *takers[16];
	size_t n = 0;
	_cleanup_free_ char *raw = xstrndup(typed, len);
	_cleanup_free_ char *name = shown(raw);

	for (size_t i = 0; others && others[i] && n < ARRAY_SIZE(takers); i++) {
		const struct verb_spec *v = others[i];
		if (v == spec)
			continue;
		bool has = len > 2 && typed[1] == '-' ? find_long(v->opts, typed + 2, len - 2) != NULL
		                                       : len == 2 && find_short(v->opts, typed[1]) != NULL;
		if (has)
			takers[n++] = *v->name ? v->name : "plain kstall";
	}
	if (!n) {
		usage_error("unknown option '%s' for %s", name, verb_label(spec->name));
		return;
	}
	struct buf b = {0};
	list_words(&b, takers, n, " and ");
	buf_reserve(&b, 0);
	usage_error("%s does not take %s (%s %s)", verb_label(spec->name), name, b.data, n == 1 ? "does" : "do");
	buf_free(&b);
}

/* "between 0.05 and 3600" and the like, for a value out of range. */
static void range_text(struct buf *b, const struct option *o)
{
	if (o->max == 0)
		buf_printf(b, o->min_open ? ", more than %.15g" : ", %.15g or more", o->min);
	else if (o->min_open)
		buf_printf(b, ", more than %.15g and at most %.15g", o->min, o->max);
	else
		buf_printf(b, " between %.15g and %.15g", o->min, o->max);
}

static bool in_range(const struct option *o, double v)
{
	if (isnan(v) || isinf(v))
		return false;
	if (o->min_open ? !(v > o->min) : !(v >= o->min))
		return false;
	return o->max == 0 || v <= o->max;
}

static int bad_value(const struct option *o, const char *as, const char *val)
{
	struct buf b = {0};
	_cleanup_free_ char *v = shown(val);

	buf_printf(&b, "%s", o->want ? o->want : "a number");
	if (o->type == OPT_INT || o->type == OPT_INT_LIST)
		buf_printf(&b, ", a whole number");
	range_text(&b, o);
	usage_error("%s wants %s, not '%s'", as, b.data, v);
	buf_free(&b);
	return -1;
}

static int set_value(const struct option *o, const char *as, const char *val)
{
	char *end;

	switch (o->type) {
	case OPT_STRING:
		if (!*val) {
			usage_error("%s wants %s, not an empty string", as, o->argh);
			return -1;
		}
		*(const char **)o->value = val;
		return 0;
	case OPT_NUMBER: {
		errno = 0;
		double v = strtod(val, &end);
		/* Decimal only: strtod also takes "0x10", "inf" and "nan". */
		if (!*val || *end || errno || strspn(val, "0123456789.") != strlen(val) || !in_range(o, v))
			return bad_value(o, as, val);
		*(double *)o->value = v;
		return 0;
	}
	case OPT_INT:
	case OPT_INT_LIST: {
		errno = 0;
		long v = strtol(val, &end, 10);
		if (!*val || *end || errno || !in_range(o, (double)v))
			return bad_value(o, as, val);
		if (o->type == OPT_INT) {
			*(int *)o->value = (int)v;
			return 0;
		}
		int **vp = o->value;
		for (size_t i = 0; i < *o->count; i++)
			if ((*vp)[i] == (int)v)
				return 0; /* given twice: kept once */
		*vp = xrealloc(*vp, (*o->count + 1) * sizeof(**vp));
		(*vp)[(*o->count)++] = (int)v;
		return 0;
	}
	case OPT_CHOICE: {
		const char *names[16];
		size_t n = 0;
		for (const struct opt_choice *c = o->choices; c->name; c++) {
			if (!strcmp(c->name, val)) {
				*(int *)o->value = c->value;
				return 0;
			}
			if (n < ARRAY_SIZE(names))
				names[n++] = c->name;
		}
		struct buf b = {0};
		_cleanup_free_ char *v = shown(val);
		list_words(&b, names, n, " or ");
		buf_reserve(&b, 0);
		usage_error("%s is %s, not '%s'", as, b.data, v);
		buf_free(&b);
		return -1;
	}
	case OPT_END:
		break;
	}
	return -1;
}

static size_t nopts(const struct option *o)
{
	size_t n = 0;
	while (o && o[n].type != OPT_END)
		n++;
	return n;
}

static void print_usage_line(FILE *out, const struct verb_spec *spec)
{
	fprintf(out, "usage: kstall%s%s", *spec->name ? " " : "", spec->name);
	for (const struct option *o = spec->opts; o && o->type != OPT_END; o++)
		if (o->required) {
			if (o->short_name)
				fprintf(out, " -%c %s", o->short_name, o->argh);
			else
				fprintf(out, " --%s %s", o->long_name, o->argh);
		}
	fprintf(out, "%s%s%s\n", spec->args ? " " : "", spec->args ? spec->args : "", nopts(spec->opts) ? " [OPTIONS]" : "");
}

/* One option at argv[*i]; advances *i past its value. Returns 0, -1
 * after a usage error, or PARSE_OPT_HELP. */
static int parse_one(int argc, char **argv, int *i, const struct verb_spec *spec,
		     const struct verb_spec *const *others, bool *given)
{
	const char *a = argv[*i], *val = NULL;
	const struct option *o;
	size_t len;

	if (a[1] == '-') {
		const char *eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		if (eq)
			val = eq + 1;
		o = len == 6 && !strncmp(a, "--help", 6) ? NULL : find_long(spec->opts, a + 2, len - 2);
	} else {
		len = 2;
		if (a[2])
			val = a + 2;
		o = a[1] == 'h' ? NULL : find_short(spec->opts, a[1]);
	}
	_cleanup_free_ char *as = xstrndup(a, len);
	if (!strcmp(as, "-h") || !strcmp(as, "--help")) {
		if (val) {
			usage_error("%s takes no value", as);
			return -1;
		}
		usage_with_options(stdout, spec);
		return PARSE_OPT_HELP;
	}
	if (!o) {
		not_taken(spec, others, a, len);
		return -1;
	}
	if (!val) {
		if (*i + 1 >= argc) {
			usage_error("%s needs a value: %s %s", as, as, o->argh);
			return -1;
		}
		val = argv[++*i];
	}
	if (set_value(o, as, val) < 0)
		return -1;
	given[o - spec->opts] = true;
	if (o->seen)
		*o->seen = true;
	return 0;
}

int parse_options(int argc, char **argv, const struct verb_spec *spec, const struct verb_spec *const *others)
{
	size_t n = nopts(spec->opts), nargs = 0;
	_cleanup_free_ bool *given = xcalloc(n + 1, sizeof(*given));
	_cleanup_free_ char **args = xcalloc((size_t)argc + 1, sizeof(*args));
	bool dashdash = false;

	usage_verb = spec->name;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (dashdash || a[0] != '-' || !a[1]) {
			args[nargs++] = a;
		} else if (!strcmp(a, "--")) {
			dashdash = true;
		} else {
			int rc = parse_one(argc, argv, &i, spec, others, given);
			if (rc < 0)
				return rc;
		}
	}
	for (size_t k = 0; k < n; k++)
		if (spec->opts[k].required && !given[k]) {
			const struct option *o = &spec->opts[k];
			if (o->short_name)
				usage_error("%s needs -%c %s", verb_label(spec->name), o->short_name, o->argh);
			else
				usage_error("%s needs --%s %s", verb_label(spec->name), o->long_name, o->argh);
			return -1;
		}
	if (nargs < spec->min_args) {
		usage_error("%s needs %s", verb_label(spec->name), spec->args);
		return -1;
	}
	if (nargs > spec->max_args) {
		_cleanup_free_ char *extra = shown(args[spec->max_args]);
		if (spec->max_args)
			usage_error("%s: '%s' is one argument too many (it takes %s)", verb_label(spec->name), extra,
				    spec->args);
		else
			usage_error("%s takes no arguments, not '%s'", verb_label(spec->name), extra);
		return -1;
	}
	for (size_t k = 0; k < nargs; k++)
		argv[k + 1] = args[k];
	return (int)nargs;
}

static void wrap(FILE *out, const char *text, int col, int indent)
{
	fput_wrapped(out, text, col, indent, HELP_WIDTH);
}

static void print_option(FILE *out, char short_name, const char *long_name, const char *argh, const char *help)
{
	int col = fprintf(out, "  %c%c%s--%s%s%s", short_name ? '-' : ' ', short_name ? short_name : ' ',
			  short_name ? ", " : "  ", long_name, argh ? " " : "", argh ? argh : "");
	if (col + 2 > HELP_COL) {
		fprintf(out, "\n%*s", HELP_COL, "");
	} else {
		fprintf(out, "%*s", HELP_COL - col, "");
	}
	wrap(out, help, HELP_COL, HELP_COL);
}

void options_print(FILE *out, const struct option *opts)
{
	for (const struct option *o = opts; o && o->type != OPT_END; o++)
		print_option(out, o->short_name, o->long_name, o->argh, o->help);
	print_option(out, 'h', "help", NULL, "show this help and exit");
}

void usage_with_options(FILE *out, const struct verb_spec *spec)
{
	print_usage_line(out, spec);
	if (spec->summary) {
		fputc('\n', out);
		wrap(out, spec->summary, 0, 0);
	}
	fprintf(out, "\noptions:\n");
	options_print(out, spec->opts);
	if (spec->notes)
		fprintf(out, "\n%s", spec->notes);
	fprintf(out, "\nexit: 0 ran, 1 could not run, 2 usage error%s\n",
		find_long(spec->opts, "fail-on", 7) ? ", 3 --fail-on matched" : "");
}
