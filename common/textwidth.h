/* SPDX-License-Identifier: Apache-2.0 */
/*
 * textwidth: how many terminal / printer cells UTF-8 text takes, so that
 * Chinese and English line up on the till's screen, on receipts and in
 * office reports. A wide character (East Asian Width W or F: Han, kana,
 * Hangul, fullwidth forms, CJK punctuation, most emoji) takes 2 cells, a
 * combining mark or a control character 0, anything else 1; a byte that is
 * not valid UTF-8 counts as one cell (it prints as one replacement mark).
 * The table is built in, so the answer does not depend on the process's
 * locale (the receipts are laid out the same under LANG=C). Pure: no I/O,
 * no allocation, no globals.
 */
#ifndef KASSA_TEXTWIDTH_H
#define KASSA_TEXTWIDTH_H

#include <stddef.h>
#include <stdint.h>

/* How text is placed in a field wider than it. */
typedef enum TextAlign {
	TEXT_LEFT = 0,		/* text, then spaces */
	TEXT_RIGHT = 1,		/* spaces, then text (amounts) */
	TEXT_CENTRE = 2,	/* spaces on both sides, the odd one on the right */
} TextAlign;

/* Cells of one code point (0, 1 or 2). */
int textwidth_cp(uint32_t cp);

/*
 * Decode one character from the len bytes at s into *cp; returns its length
 * in bytes (1..4), or 1 with *cp = 0xFFFD for a byte that does not start a
 * valid sequence (overlong, surrogate, truncated). len must be >= 1.
 */
size_t textwidth_decode(const char *s, size_t len, uint32_t *cp);

/* Cells of the NUL-terminated UTF-8 string s (0 for NULL). */
int textwidth(const char *s);

/* Cells of the first len bytes of s. */
int textwidth_n(const char *s, size_t len);

/*
 * The byte length of the longest prefix of s that fits in cells cells,
 * never cutting a character (a wide character that would need the last
 * cell alone is left out). *used (when not NULL) gets the cells it takes.
 */
size_t textwidth_cut(const char *s, int cells, int *used);

/*
 * Write s into out (outlen bytes with the NUL) as exactly cells cells:
 * truncated at a character boundary when too wide, padded with spaces as
 * align says when narrower (one space stands in for a wide character that
 * no longer fits). Returns out. When out is too small for that, as much as
 * fits of whole characters is written; out is always NUL-terminated when
 * outlen > 0.
 */
char *textwidth_pad(char *out, size_t outlen, const char *s, int cells, TextAlign align);

#endif
