/* The command line, end to end: each verb's -h and --help, that a verb
 * accepts exactly the options its help lists (the lists are read from
 * the help, not written here twice), the messages of refused options and
 * values, -p given twice, and how an unprivileged check says what it
 * could not read. Runs the sanitizer build (KSTALL_BIN overrides). */
#include "clirun.h"

static char tmpl[] = "/tmp/kstall-test-cli-usage-XXXXXX";

static struct res run_argv(double timeout_s, bool drop, char *const args[])
{
	return kstall_run(&(struct run_opts){.dir = tmpl, .timeout_s = timeout_s, .uid = drop ? NOBODY : 0}, args);
}

#define RUN(...) run_argv(30, false, (char *const[]){__VA_ARGS__, NULL})

static int setup(void **state UNUSED)
{
	if (!mkdtemp(tmpl))
		return -1;
	return chmod(tmpl, 0755); /* the unprivileged runs read trees in it */
}

static int teardown(void **state UNUSED)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- what the help says ---- */

struct opt_line {
	char short_name; /* 0: none */
	char long_name[32];
	char argh[40]; /* "" when it takes no value */
};

struct verb_help {
	char name[16]; /* "" for plain kstall */
	char *text;    /* its -h */
	struct opt_line opts[32];
	size_t nopts;
};

/* The options listed under "options:" (but -h itself): lines
 * "  -x, --long ARG   help" or "      --long ARG   help"; help text that
 * wraps is indented further and starts with no dash. */
static size_t help_options(const char *help, struct opt_line *v, size_t max)
{
	const char *p = strstr(help, "\noptions:\n");
	size_t n = 0;

	assert_non_null(p);
	p += strlen("\noptions:\n");
	for (; *p && *p != '\n'; p = strchr(p, '\n') + 1) {
		struct opt_line l = {0};
		const char *q;
		if (!strncmp(p, "  -", 3) && p[4] == ',' && !strncmp(p + 5, " --", 3)) {
			l.short_name = p[3];
			q = p + 8;
		} else if (!strncmp(p, "      --", 8)) {
			q = p + 8;
		} else {
			assert_true(strncmp(p, "                          ", 26) == 0); /* a wrapped line */
			continue;
		}
		size_t len = strcspn(q, " \n");
		assert_true(len > 0 && len < sizeof(l.long_name));
		memcpy(l.long_name, q, len);
		q += len;
		if (*q == ' ' && q[1] != ' ' && q[1] != '\n') {
			len = strcspn(q + 1, " \n");
			assert_true(len < sizeof(l.argh));
			memcpy(l.argh, q + 1, len);
		}
		if (!strcmp(l.long_name, "help"))
			continue;
		assert_true(n < max);
		v[n++] = l;
	}
	return n;
}

/* A value the option's placeholder asks for: the first of the choices,
 * or one of the kind named. */
static const char *sample_value(const struct opt_line *o, char *buf, size_t n)
{
	static const struct {
		const char *argh, *value;
	} kinds[] = {{"S", "1"}, {"MS", "50"}, {"PCT", "2"}, {"PID", "1"}, {"DIR", "tests/fixtures/healthy-6.18-vm"}};

	if (strchr(o->argh, '|')) {
		snprintf(buf, n, "%.*s", (int)strcspn(o->argh, "|"), o->argh);
		return buf;
	}
	if (!strcmp(o->argh, "FILE") || !strcmp(o->argh, "PATH")) {
		snprintf(buf, n, "%s/never-written", tmpl);
		return buf;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(o->argh, kinds[i].argh))
			return kinds[i].value;
	fail_msg("--%s: the help names a value (%s) this test has no sample of", o->long_name, o->argh);
	return NULL;
}

/* The verbs `kstall -h` lists under "commands:", then plain kstall. */
static size_t read_verbs(struct verb_help *v, size_t max)
{
	struct res top = RUN("-h");
	size_t n = 0;

	assert_int_equal(top.status, 0);
	const char *p = strstr(top.out, "\ncommands:\n");
	assert_non_null(p);
	for (p += strlen("\ncommands:\n"); !strncmp(p, "  ", 2); p = strchr(p, '\n') + 1) {
		assert_true(n < max);
		sscanf(p, "%15s", v[n].name);
		n++;
	}
	/* Plain kstall: its options are the ones `kstall -h` lists. */
	assert_true(n < max);
	v[n].name[0] = '\0';
	v[n].text = xstrdup(top.out);
	v[n].nopts = help_options(top.out, v[n].opts, ARRAY_SIZE(v[n].opts));
	n++;
	res_free(&top);
	for (size_t i = 0; i + 1 < n; i++) {
		struct res h = RUN(v[i].name, "-h");
		assert_int_equal(h.status, 0);
		v[i].text = TAKE_PTR(h.out);
		v[i].nopts = help_options(v[i].text, v[i].opts, ARRAY_SIZE(v[i].opts));
		res_free(&h);
	}
	return n;
}

static void verbs_free(struct verb_help *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
}

static const struct opt_line *find_opt(const struct verb_help *v, const char *long_name)
{
	for (size_t i = 0; i < v->nopts; i++)
		if (!strcmp(v->opts[i].long_name, long_name))
			return &v->opts[i];
	return NULL;
}

static bool has_short(const struct verb_help *v, char c)
{
	for (size_t i = 0; i < v->nopts; i++)
		if (v->opts[i].short_name == c)
			return true;
	return false;
}

/* Run `kstall [VERB] ARGS... -h`: the options before -h are parsed (and
 * their values checked) before the help is printed. */
static struct res run_then_help(const struct verb_help *v, const char *a, const char *b)
{
	char *args[6];
	size_t n = 0;
	if (*v->name)
		args[n++] = (char *)v->name;
	args[n++] = (char *)a;
	if (b)
		args[n++] = (char *)b;
	args[n++] = "-h";
	args[n] = NULL;
	return run_argv(30, false, args);
}

/* ---- tests ---- */

/* Each verb's -h and --help: its own usage on stdout, exit 0, nothing on
 * stderr, and the same text from both. kstall -h lists the verbs. */
static void test_help_of_every_verb(void **state UNUSED)
{
	struct verb_help v[16] = {0};
	size_t n = read_verbs(v, ARRAY_SIZE(v));
	static const char *const known[] = {"check", "snapshot", "watch", "record", "report", "explain"};

	for (size_t k = 0; k < ARRAY_SIZE(known); k++) {
		bool listed = false;
		for (size_t i = 0; i < n; i++)
			listed |= !strcmp(v[i].name, known[k]);
		if (!listed)
			fail_msg("kstall -h does not list %s", known[k]);
	}
	for (size_t i = 0; i + 1 < n; i++) {
		_cleanup_free_ char *head = xasprintf("usage: kstall %s", v[i].name);
		struct res h = RUN(v[i].name, "--help");
		assert_int_equal(h.status, 0);
		assert_string_equal(h.err, "");
		assert_string_equal(h.out, v[i].text); /* -h and --help agree */
		if (strncmp(h.out, head, strlen(head)))
			fail_msg("%s --help does not start with '%s':\n%s", v[i].name, head, h.out);
		/* Each listed option has its help text beside it. */
		for (size_t k = 0; k < v[i].nopts; k++) {
			_cleanup_free_ char *line = xasprintf("--%s%s%s", v[i].opts[k].long_name,
							      *v[i].opts[k].argh ? " " : "", v[i].opts[k].argh);
			const char *at = strstr(h.out, line);
			assert_non_null(at);
			at += strlen(line);
			at += strspn(at, " \n");
			assert_true(*at && *at != '-'); /* a help text, not the next option */
		}
		if (strcmp(v[i].name, "explain"))
			assert_true(v[i].nopts >= 3);
		res_free(&h);
	}
	/* record: -o FILE and --duration, as the issue asked. */
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, "record")) {
			const struct opt_line *o = find_opt(&v[i], "output"), *d = find_opt(&v[i], "duration");
			assert_non_null(o);
			assert_int_equal(o->short_name, 'o');
			assert_string_equal(o->argh, "FILE");
			assert_non_null(d);
			assert_non_null(strstr(v[i].text, "usage: kstall record -o FILE"));
		}
	/* Plain kstall: the same help after its options as with none. */
	struct res d = RUN("--format", "json", "--help");
	assert_int_equal(d.status, 0);
	assert_non_null(strstr(d.out, "usage: kstall [OPTIONS]"));
	assert_non_null(strstr(v[n - 1].text, d.out));
	res_free(&d);
	verbs_free(v, n);
}

/* Every option a verb's help lists is accepted, long, --long=V and
 * short; every option another verb's help lists and this one's does not
 * is refused, naming the cause; so is one that no verb has. */
static void test_parser_takes_exactly_what_help_lists(void **state UNUSED)
{
	struct verb_help v[16] = {0};
	size_t n = read_verbs(v, ARRAY_SIZE(v));
	char val[128];

	for (size_t i = 0; i < n; i++) {
		const char *label = *v[i].name ? v[i].name : "kstall without a command";
		for (size_t k = 0; k < v[i].nopts; k++) {
			const struct opt_line *o = &v[i].opts[k];
			const char *sv = sample_value(o, val, sizeof(val));
			_cleanup_free_ char *lng = xasprintf("--%s", o->long_name);
			_cleanup_free_ char *eq = xasprintf("--%s=%s", o->long_name, sv);
			char shrt[3] = {'-', o->short_name, 0};
			struct res r = run_then_help(&v[i], lng, sv);
			if (r.status != 0)
				fail_msg("%s refuses %s %s, which its help lists: %s", label, lng, sv, r.err);
			if (*v[i].name)
				assert_string_equal(r.out, v[i].text);
			else /* plain kstall's own part of kstall -h */
				assert_true(*r.out && strstr(v[i].text, r.out));
			res_free(&r);
			r = run_then_help(&v[i], eq, NULL);
			if (r.status != 0)
				fail_msg("%s refuses %s: %s", label, eq, r.err);
			res_free(&r);
			if (o->short_name) {
				r = run_then_help(&v[i], shrt, sv);
				if (r.status != 0)
					fail_msg("%s refuses %s %s: %s", label, shrt, sv, r.err);
				res_free(&r);
			}
		}
		/* Options of the other verbs that this one does not list. */
		size_t refused = 0;
		for (size_t j = 0; j < n; j++)
			for (size_t k = 0; k < v[j].nopts; k++) {
				const struct opt_line *o = &v[j].opts[k];
				if (find_opt(&v[i], o->long_name))
					continue;
				_cleanup_free_ char *lng = xasprintf("--%s", o->long_name);
				_cleanup_free_ char *want = xasprintf("%s does not take %s", label, lng);
				struct res r = run_then_help(&v[i], lng, sample_value(o, val, sizeof(val)));
				if (r.status != 2 || !strstr(r.err, want))
					fail_msg("%s %s: exit %d, stderr '%s'; expected exit 2 and '%s'", label, lng, r.status,
						 r.err, want);
				assert_string_equal(r.out, "");
				res_free(&r);
				if (o->short_name && !has_short(&v[i], o->short_name)) {
					char shrt[3] = {'-', o->short_name, 0};
					r = run_then_help(&v[i], shrt, "1");
					assert_int_equal(r.status, 2);
					assert_non_null(strstr(r.err, "does not take -"));
					res_free(&r);
				}
				refused++;
			}
		if (!strcmp(v[i].name, "report") || !strcmp(v[i].name, "check"))
			assert_true(refused > 0);
		struct res r = run_then_help(&v[i], "--no-such-option", NULL);
		_cleanup_free_ char *want = xasprintf("unknown option '--no-such-option' for %s", label);
		assert_int_equal(r.status, 2);
		if (!strstr(r.err, want))
			fail_msg("expected '%s', got '%s'", want, r.err);
		res_free(&r);
	}
	verbs_free(v, n);
}

/* The refusals the issue named, and values checked with a message that
 * says what is wanted. */
static void test_refusals_name_the_cause(void **state UNUSED)
{
	static const struct {
		const char *args[8];
		const char *want; /* in stderr */
		const char *not;  /* not in stderr */
	} cases[] = {
		{{"report", "rec.ks", "-p", "1", "--root", "/x"}, "report does not take -p", NULL},
		{{"report", "rec.ks", "--root", "/x"}, "report does not take --root", NULL},
		{{"check", "--duration", "5"}, "check does not take --duration", "'5'"},
		{{"check", "-o", "x"}, "check does not take -o", NULL},
		{{"watch", "--root", "/"}, "watch does not take --root", NULL},
		{{"check", "--bogus"}, "unknown option '--bogus' for check", NULL},
		{{"check", "--interval", "0"}, "--interval wants seconds between 0.05 and 3600, not '0'", NULL},
		{{"check", "--interval=1x"}, "--interval wants seconds between 0.05 and 3600, not '1x'", NULL},
		{{"check", "--interval"}, "--interval needs a value", NULL},
		{{"watch", "--duration", "0"}, "--duration wants seconds, more than 0", NULL},
		{{"watch", "--threshold", "-1"}, "--threshold wants milliseconds between 0.01 and 600000", NULL},
		{{"check", "--deadline-ms", "1.5"}, "--deadline-ms wants milliseconds, a whole number between 1 and 60000", NULL},
		{{"check", "-p", "0"}, "-p wants a process id, a whole number between 1 and 4194304, not '0'", NULL},
		{{"check", "--pid", "x"}, "--pid wants a process id", NULL},
		{{"check", "--format", "yaml"}, "--format is text or json, not 'yaml'", NULL},
		{{"check", "--color", "often"}, "--color is auto, always or never, not 'often'", NULL},
		{{"check", "--fail-on", "info"}, "--fail-on is warning or critical, not 'info'", NULL},
		{{"report", "rec.ks", "--from", "-1"}, "--from wants seconds since the recording started, 0 or more", NULL},
		{{"report", "rec.ks", "--from", "5", "--to", "2"}, "--from 5 is not before --to 2", NULL},
		{{"report"}, "report needs FILE", NULL},
		{{"report", "a.ks", "b.ks"}, "'b.ks' is one argument too many", NULL},
		{{"record", "--duration", "1"}, "record needs -o FILE", NULL},
		{{"snapshot"}, "snapshot needs -o PATH", NULL},
		{{"check", "extra"}, "check takes no arguments, not 'extra'", NULL},
		{{"explain", "a", "b"}, "'b' is one argument too many", NULL},
		{{"--output", "x"}, "kstall without a command does not take --output", NULL},
		{{"check", "--help=yes"}, "--help takes no value", NULL},
		{{"check", "--format", "\033[31mred"}, "not '\\x1b[31mred'", "\033"}, /* echoed inert */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct res r = run_argv(30, false, (char *const *)cases[i].args);
		if (r.status != 2 || !strstr(r.err, cases[i].want) || (cases[i].not && strstr(r.err, cases[i].not)))
			fail_msg("%s %s...: exit %d, stderr '%s'; expected exit 2 and '%s'", cases[i].args[0],
				 cases[i].args[1] ? cases[i].args[1] : "", r.status, r.err, cases[i].want);
		assert_string_equal(r.out, "");
		assert_non_null(strstr(r.err, "--help)"));
		res_free(&r);
	}
}

/* -p 1 -p 1: the process once; the order of first mention is kept. */
static void test_pid_given_twice_is_listed_once(void **state UNUSED)
{
	struct res r = RUN("check", "--root", "tests/fixtures/healthy-6.18-vm", "-p", "2", "-p", "1", "-p", "2",
			   "--pid", "1", "--format", "json");
	assert_int_equal(r.status, 0);
	json_object *o = parse_json(&r);
	json_object *ps = json_object_object_get(o, "processes");
	assert_int_equal(json_object_array_length(ps), 2);
	assert_int_equal(json_object_get_int(json_object_object_get(json_object_array_get_idx(ps, 0), "pid")), 2);
	assert_int_equal(json_object_get_int(json_object_object_get(json_object_array_get_idx(ps, 1), "pid")), 1);
	json_object_put(o);
	res_free(&r);

	r = RUN("check", "--root", "tests/fixtures/healthy-6.18-vm", "-p", "1", "-p", "1");
	assert_int_equal(r.status, 0);
	size_t n = 0;
	for (const char *p = r.out; (p = strstr(p, "\nprocess 1 (")); p++)
		n++;
	assert_int_equal(n, 1);
	res_free(&r);
}

static size_t count_lines_with(const char *text, const char *a, const char *b)
{
	size_t n = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *line = xstrndup(p, len);
		if (strcasestr(line, a) && (!b || strcasestr(line, b)))
			n++;
		p += len + (nl ? 1 : 0);
	}
	return n;
}

/* The lines of a text report's section (its title, up to the blank
 * line that ends it). */
static char *section(const char *out, const char *title)
{
	_cleanup_free_ char *head = xasprintf("\n%s\n", title);
	const char *p = strstr(out, head);
	if (!p)
		return xstrdup("");
	p += strlen(head);
	const char *end = strstr(p, "\n\n");
	return xstrndup(p, end ? (size_t)(end - p) : strlen(p));
}

static json_object *partial_of(json_object *doc, const char *id)
{
	json_object *pa = json_object_object_get(doc, "partial");
	assert_non_null(pa);
	for (size_t i = 0; i < json_object_array_length(pa); i++) {
		json_object *x = json_object_array_get_idx(pa, i);
		if (!strcmp(json_object_get_string(json_object_object_get(x, "detector")), id))
			return x;
	}
	return NULL;
}

static size_t unreadable_count(json_object *doc, const char *file)
{
	json_object *u = json_object_object_get(doc, "unreadable");
	size_t n = 0;
	assert_non_null(u);
	for (size_t i = 0; i < json_object_array_length(u); i++)
		n += !strcmp(json_object_get_string(json_object_object_get(json_object_array_get_idx(u, i), "file")), file);
	return n;
}

/* The live host, as nobody: other users' maps are closed. One line says
 * how many and why; the checks that read every process's maps say they
 * covered only the user's own; JSON keeps the list. */
static void test_unprivileged_check_summarises(void **state UNUSED)
{
	struct res r = run_argv(30, true, (char *const[]){"check", "--interval", "0.2", NULL});
	assert_int_equal(r.status, 0);
	/* Processes of other users with maps: the root ones, at least pid 1. */
	_cleanup_free_ char *ur = section(r.out, "unreadable");
	assert_int_equal(count_lines_with(ur, "maps", "permission denied"), 1);
	assert_int_equal(count_lines_with(ur, "maps", "permission denied (not root)"), 1);
	assert_non_null(strstr(r.out, "checked in part"));
	assert_int_equal(count_lines_with(r.out, "vma.fragmentation: covered only your own processes", NULL), 1);
	assert_int_equal(count_lines_with(r.out, "vma.map_count_near_limit: covered only your own processes", NULL), 1);
	if (strstr(r.out, "No problems found"))
		assert_non_null(strstr(r.out, "over only part of the processes"));
	res_free(&r);

	r = run_argv(30, true, (char *const[]){"check", "--interval", "0.2", "--format", "json", NULL});
	assert_int_equal(r.status, 0);
	json_object *o = parse_json(&r);
	assert_true(unreadable_count(o, "maps") >= 1);
	json_object *p = partial_of(o, "vma.fragmentation");
	assert_non_null(p);
	assert_non_null(strstr(json_object_get_string(json_object_object_get(p, "reason")), "not root"));
	assert_non_null(partial_of(o, "vma.map_count_near_limit"));
	json_object_put(o);
	res_free(&r);
}

/* A tree whose maps and stack files are closed to the reader (mode 000,
 * read as nobody): the same summary, without "not root", since a tree
 * is not the live host; a closed stack of a D-state task narrows
 * writeback.throttle. */
static void test_unreadable_tree_summarised(void **state UNUSED)
{
	_cleanup_free_ char *tree = xasprintf("%s/closed", tmpl);
	_cleanup_free_ char *cmd = xasprintf(
		"cp -r tests/fixtures/healthy-6.18-vm '%s' && cd '%s/proc' && for p in 4242:mine:S 4243:theirs:S "
		"4244:writer:D; do pid=${p%%%%:*}; r=${p#*:}; comm=${r%%:*}; st=${r#*:}; mkdir $pid && "
		"printf '%%s (%%s) %%s 1 %%s %%s 0 -1 0 0 0 0 0 10 10 0 0 20 0 1 0 100 1000000 100 "
		"18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\\n' $pid $comm $st $pid $pid > $pid/stat && "
		"printf '00400000-00401000 r-xp 00000000 08:01 1 /bin/x\\n7ffc0000-7ffc1000 rw-p 00000000 00:00 0 "
		"[stack]\\n' > $pid/maps && echo '[<0>] balance_dirty_pages+0x1/0x2' > $pid/stack; done && "
		"chmod 000 4243/maps 4244/maps 4244/stack",
		tree, tree);
	assert_int_equal(system(cmd), 0);

	struct res r = run_argv(30, true, (char *const[]){"check", "--root", tree, NULL});
	assert_int_equal(r.status, 0);
	_cleanup_free_ char *ur = section(r.out, "unreadable");
	assert_int_equal(count_lines_with(ur, "maps", "permission denied"), 1);
	assert_non_null(strstr(r.out, "\n  maps of 2 processes: permission denied;"));
	assert_non_null(strstr(r.out, "\n  pid 4244 (writer) stack: permission denied\n"));
	assert_null(strstr(r.out, "not root"));
	assert_non_null(strstr(r.out, "vma.fragmentation: covered all but 2 processes, whose maps could not be read"));
	assert_non_null(strstr(r.out, "writeback.throttle: covered all but 1 process, whose stack could not be read"));
	res_free(&r);

	r = run_argv(30, true, (char *const[]){"check", "--root", tree, "--format", "json", NULL});
	assert_int_equal(r.status, 0);
	json_object *o = parse_json(&r);
	assert_int_equal(unreadable_count(o, "maps"), 2);
	assert_int_equal(unreadable_count(o, "stack"), 1);
	assert_non_null(partial_of(o, "vma.fragmentation"));
	assert_non_null(partial_of(o, "vma.map_count_near_limit"));
	assert_non_null(partial_of(o, "writeback.throttle"));
	json_object_put(o);
	res_free(&r);

	/* Read by its owner with the files open: nothing is partial. */
	_cleanup_free_ char *open_up = xasprintf("chmod 644 '%s'/proc/424?/maps '%s'/proc/4244/stack", tree, tree);
	assert_int_equal(system(open_up), 0);
	r = RUN("check", "--root", tree, "--format", "json");
	assert_int_equal(r.status, 0);
	o = parse_json(&r);
	assert_int_equal(json_object_array_length(json_object_object_get(o, "partial")), 0);
	assert_int_equal(json_object_array_length(json_object_object_get(o, "unreadable")), 0);
	json_object_put(o);
	res_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_of_every_verb),
		cmocka_unit_test(test_parser_takes_exactly_what_help_lists),
		cmocka_unit_test(test_refusals_name_the_cause),
		cmocka_unit_test(test_pid_given_twice_is_listed_once),
		cmocka_unit_test(test_unprivileged_check_summarises),
		cmocka_unit_test(test_unreadable_tree_summarised),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
