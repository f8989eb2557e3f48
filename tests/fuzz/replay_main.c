/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay_main: a standalone driver for the fuzz targets, so that they run in
 * every build (gcc, no libFuzzer) as ordinary CTest tests. It feeds
 * LLVMFuzzerTestOneInput() the empty input, every file given on the command
 * line (a directory means every regular file in it, in name order), and then
 * a bounded number of pseudo-random mutations of those files, made by a
 * small deterministic mutator with a fixed seed, so a failure reproduces.
 * In the ASan/UBSan build this turns the seed corpus into a memory-error
 * test of the decoders; with libFuzzer the same targets explore for real.
 *
 *   fuzz_replay_<name> [-n MUTATIONS] [-s SEED] [-t SECONDS] PATH...
 *
 * Every input is copied into a buffer of exactly its size, as libFuzzer
 * does, so that ASan sees a read one byte past the end. When an input
 * crashes the target (abort, a fatal signal, or a sanitizer report), it is
 * written to crash-<program> in $KASSA_FUZZ_CRASH_DIR (default: the current
 * directory); run the program on that file alone to reproduce.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT (1024 * 1024)	/* larger files are cut (seeds are < 1 KiB) */
#define REPLAY_MAX_MUTANT 4096		/* mutants never grow beyond this */
#define REPLAY_DEFAULT_MUTATIONS 5000
#define REPLAY_DEFAULT_SEED 0x4B41535341ull	/* "KASSA" */
#define REPLAY_DEFAULT_SECONDS 3.0		/* CTest runs each target well under 5 s */

#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define REPLAY_SANITIZED 1
#endif
#endif

#ifdef REPLAY_SANITIZED
/* From <sanitizer/common_interface_defs.h>; declared here so no header is needed. */
void __sanitizer_set_death_callback(void (*callback)(void));
#endif

typedef struct Input {
	char *name;		/* owned: file path, for messages */
	uint8_t *data;		/* owned */
	size_t size;
} Input;

/* What is being run right now, for the crash handler (all borrowed). */
static const uint8_t *cur_data;
static size_t cur_size;
static char crash_path[4096];

static Input *inputs;		/* owned array of n_inputs */
static size_t n_inputs;

/* ---- crash reporting -------------------------------------------------- */

/* Write the current input to crash_path; async-signal-safe (open/write/close). */
static void replay_save_crash(void)
{
	static const char msg[] = "fuzz_replay: crashing input written to ";
	int fd;

	if (cur_data == NULL)
		return;		/* not inside a run, or already saved */
	fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	if (cur_size > 0 && write(fd, cur_data, cur_size) < 0)
		(void)0;	/* nothing better to do while dying */
	close(fd);
	if (write(2, msg, sizeof(msg) - 1) < 0 || write(2, crash_path, strlen(crash_path)) < 0 ||
	    write(2, "\n", 1) < 0)
		(void)0;
	cur_data = NULL;	/* only once, even if both the callback and a signal fire */
}

static void replay_signal_cb(int sig)
{
	replay_save_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void replay_setup_crash(const char *argv0)
{
	const char *dir = getenv("KASSA_FUZZ_CRASH_DIR");
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	snprintf(crash_path, sizeof(crash_path), "%s/crash-%s", dir && *dir ? dir : ".", base);
	signal(SIGABRT, replay_signal_cb);	/* FUZZ_CHECK() */
#ifdef REPLAY_SANITIZED
	/* ASan reports SEGV itself, with a stack: keep its handler, hook its exit. */
	__sanitizer_set_death_callback(replay_save_crash);
#else
	signal(SIGSEGV, replay_signal_cb);
	signal(SIGBUS, replay_signal_cb);
	signal(SIGFPE, replay_signal_cb);
	signal(SIGILL, replay_signal_cb);
#endif
}

/* Run one input from a buffer of exactly its size. */
static void replay_run(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	if (copy == NULL) {
		fprintf(stderr, "fuzz_replay: out of memory\n");
		exit(2);
	}
	if (size)
		memcpy(copy, data, size);
	cur_data = copy;
	cur_size = size;
	(void)LLVMFuzzerTestOneInput(copy, size);
	cur_data = NULL;
	cur_size = 0;
	free(copy);
}

/* ---- loading the seeds ------------------------------------------------ */

static bool replay_load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "fuzz_replay: could not open \"%s\": %s\n", path, strerror(errno));
		return false;
	}
	buf = malloc(REPLAY_MAX_INPUT);
	inputs = realloc(inputs, (n_inputs + 1) * sizeof(*inputs));
	if (buf == NULL || inputs == NULL) {
		fprintf(stderr, "fuzz_replay: out of memory\n");
		exit(2);
	}
	n = fread(buf, 1, REPLAY_MAX_INPUT, f);
	fclose(f);
	inputs[n_inputs].name = strdup(path);
	inputs[n_inputs].data = buf;
	inputs[n_inputs].size = n;
	n_inputs++;
	return true;
}

static int replay_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load path: a file, or every regular non-hidden file in a directory, sorted. */
static bool replay_load(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	bool ok = true;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz_replay: could not stat \"%s\": %s\n", path, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_load_file(path);
	d = opendir(path);
	if (d == NULL) {
		fprintf(stderr, "fuzz_replay: could not open \"%s\": %s\n", path, strerror(errno));
		return false;
	}
	while ((e = readdir(d)) != NULL) {
		char full[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (names == NULL || (names[n] = strdup(full)) == NULL) {
			fprintf(stderr, "fuzz_replay: out of memory\n");
			exit(2);
		}
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), replay_cmp_names);
	for (size_t i = 0; i < n; i++) {
		ok = replay_load_file(names[i]) && ok;
		free(names[i]);
	}
	free(names);
	return ok;
}

/* ---- the mutator ------------------------------------------------------- */

static uint64_t rng_state;

/* xorshift64*: small, fast, and the same sequence on every platform. */
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

/* A number in [0, n); n > 0. */
static size_t rng_below(size_t n)
{
	return (size_t)(rng_next() % n);
}

/* Insert len bytes from src (or random bytes if src is NULL) at pos. */
static void mut_insert(uint8_t *buf, size_t *size, size_t pos, const uint8_t *src, size_t len)
{
	if (*size + len > REPLAY_MAX_MUTANT)
		len = REPLAY_MAX_MUTANT - *size;
	memmove(buf + pos + len, buf + pos, *size - pos);
	for (size_t i = 0; i < len; i++)
		buf[pos + i] = src ? src[i] : (uint8_t)rng_next();
	*size += len;
}

/* Apply one random edit to buf[0..*size) (capacity REPLAY_MAX_MUTANT). */
static void mut_once(uint8_t *buf, size_t *size)
{
	static const uint8_t bytes[] = { 0x00, 0x01, 0x7F, 0x80, 0xFF, '0', '9', '.', '-', '+',
					 ' ', 0xC0, 0xED, 0xF4 };
	static const uint32_t words[] = { 0, 1, 0x7F, 0x80, 0xFFFF, 0x100000, 0x100001,
					  0x7FFFFFFF, 0x80000000, 0xFFFFFFFF };
	size_t n = *size, pos, len;
	uint8_t tmp[16];
	uint32_t w;
	const Input *other;

	switch (rng_below(10)) {
	case 0:		/* flip one bit */
		if (n)
			buf[rng_below(n)] ^= (uint8_t)(1u << rng_below(8));
		break;
	case 1:		/* a random byte */
		if (n)
			buf[rng_below(n)] = (uint8_t)rng_next();
		break;
	case 2:		/* an interesting byte */
		if (n)
			buf[rng_below(n)] = bytes[rng_below(sizeof(bytes))];
		break;
	case 3:		/* insert 1-8 random bytes */
		mut_insert(buf, size, rng_below(n + 1), NULL, 1 + rng_below(8));
		break;
	case 4:		/* delete a range */
		if (n) {
			pos = rng_below(n);
			len = 1 + rng_below(n - pos);
			memmove(buf + pos, buf + pos + len, n - pos - len);
			*size = n - len;
		}
		break;
	case 5:		/* copy a range of the input somewhere else in it */
		if (n) {
			pos = rng_below(n);
			len = 1 + rng_below(n - pos < sizeof(tmp) ? n - pos : sizeof(tmp));
			memcpy(tmp, buf + pos, len);
			mut_insert(buf, size, rng_below(n + 1), tmp, len);
		}
		break;
	case 6:		/* truncate */
		*size = rng_below(n + 1);
		break;
	case 7:		/* splice: our prefix, another seed's suffix */
		other = &inputs[rng_below(n_inputs)];
		pos = rng_below(n + 1);
		len = other->size ? rng_below(other->size) : 0;
		*size = pos;
		mut_insert(buf, size, pos, other->data + len, other->size - len);
		break;
	case 8:		/* an interesting big-endian 32-bit word (frame lengths) */
		if (n >= 4) {
			pos = rng_below(n - 3);
			w = words[rng_below(sizeof(words) / sizeof(words[0]))];
			buf[pos] = (uint8_t)(w >> 24);
			buf[pos + 1] = (uint8_t)(w >> 16);
			buf[pos + 2] = (uint8_t)(w >> 8);
			buf[pos + 3] = (uint8_t)w;
		}
		break;
	default:	/* a long varint (protobuf tags and lengths) */
		len = 1 + rng_below(10);
		for (size_t i = 0; i < len; i++)
			tmp[i] = (uint8_t)(rng_next() | (i + 1 < len ? 0x80 : 0));
		mut_insert(buf, size, rng_below(n + 1), tmp, len);
		break;
	}
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- main -------------------------------------------------------------- */

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-n MUTATIONS] [-s SEED] [-t SECONDS] PATH...\n", argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long mutations = REPLAY_DEFAULT_MUTATIONS, seed = REPLAY_DEFAULT_SEED, done;
	double budget = REPLAY_DEFAULT_SECONDS, start;
	uint8_t *buf;
	size_t size;
	int opt;
	bool ok = true;

	while ((opt = getopt(argc, argv, "n:s:t:")) != -1) {
		switch (opt) {
		case 'n':
			mutations = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			budget = strtod(optarg, NULL);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind >= argc)
		usage(argv[0]);
	for (int i = optind; i < argc; i++)
		ok = replay_load(argv[i]) && ok;
	if (!ok || n_inputs == 0) {
		fprintf(stderr, "fuzz_replay: no inputs loaded\n");
		return 2;
	}
	replay_setup_crash(argv[0]);

	/* 1. The empty input and every seed as it is. */
	replay_run(NULL, 0);
	for (size_t i = 0; i < n_inputs; i++)
		replay_run(inputs[i].data, inputs[i].size);

	/* 2. Mutants: a seed, 1-4 edits; stop at the count or the time budget. */
	buf = malloc(REPLAY_MAX_MUTANT);
	if (buf == NULL)
		return 2;
	rng_state = seed ? seed : 1;
	start = now_sec();
	for (done = 0; done < mutations; done++) {
		const Input *in = &inputs[rng_below(n_inputs)];
		size_t edits = 1 + rng_below(4);

		if ((done & 63) == 0 && now_sec() - start > budget)
			break;
		size = in->size < REPLAY_MAX_MUTANT ? in->size : REPLAY_MAX_MUTANT;
		memcpy(buf, in->data, size);
		while (edits-- > 0)
			mut_once(buf, &size);
		replay_run(buf, size);
	}
	printf("fuzz_replay: %zu inputs, %llu mutations (seed %#llx) in %.2f s: ok\n", n_inputs,
	       done, seed, now_sec() - start);
	if (done < mutations)
		printf("fuzz_replay: stopped at the %.1f s time budget\n", budget);

	free(buf);
	for (size_t i = 0; i < n_inputs; i++) {
		free(inputs[i].name);
		free(inputs[i].data);
	}
	free(inputs);
	return 0;
}
