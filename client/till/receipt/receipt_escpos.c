/* SPDX-License-Identifier: Apache-2.0 */
/*
 * receipt_escpos.c: the receipt (receipt_layout.h, RECEIPT_COLUMNS wide)
 * as ESC/POS bytes for an 80 mm thermal printer (receipt_escpos(),
 * receipt.h).
 *
 * The byte stream: ESC @ (reset); for GB18030, FS & (Chinese character
 * mode: the printer reads two- and four-byte GB18030 sequences as one
 * character, two columns wide); for UTF-8, FS . (Chinese mode off: a
 * printer set to its UTF-8 code page reads the bytes as they are). Then
 * each line, its style switched on before it and off after it: bold is
 * ESC E 1 / ESC E 0; big is bold plus double height (GS ! 0x01 and, for
 * Chinese characters, FS ! 0x08), never double width, so the columns stay
 * the same. Each line ends with LF. At the end: FS . (GB18030), ESC d 4
 * (feed past the cutter) and GS V 66 0 (feed and partial cut).
 *
 * The text is converted with iconv (UTF-8 to GB18030). A character the
 * target cannot encode becomes '?' (the layout already turned bytes that
 * are not UTF-8 and control characters into '?'), so printing never fails
 * on content; only running out of memory or iconv being unavailable does.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "receipt_layout.h"
#include "textwidth.h"

/* A growing byte buffer; oom once an allocation failed. */
typedef struct Bytes {
	unsigned char *p;	/* owned */
	size_t n, cap;
	bool oom;
} Bytes;

static void put(Bytes *b, const void *data, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		unsigned char *p;

		while (cap < b->n + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, data, n);
	b->n += n;
}

#define PUT(b, ...) put((b), (const unsigned char[]){ __VA_ARGS__ }, \
			sizeof((const unsigned char[]){ __VA_ARGS__ }))

/*
 * Append text converted by cd; a character cd cannot convert becomes '?'.
 * cd NULL: the UTF-8 as it is.
 */
static void put_text(Bytes *b, iconv_t cd, const char *text)
{
	size_t len = strlen(text), i = 0;

	if (cd == NULL) {
		put(b, text, len);
		return;
	}
	/* one character at a time: a refused one is replaced, the rest goes on */
	while (i < len) {
		uint32_t cp;
		size_t n = textwidth_decode(text + i, len - i, &cp);
		char out[16];
		char *in = (char *)text + i, *o = out;
		size_t inleft = n, outleft = sizeof(out);

		if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1 || inleft != 0) {
			iconv(cd, NULL, NULL, NULL, NULL);	/* reset the shift state */
			put(b, "?", 1);
		} else {
			put(b, out, sizeof(out) - outleft);
		}
		i += n;
	}
}

static void style_on(Bytes *b, ReceiptStyle st, bool chinese)
{
	if (st == RS_PLAIN)
		return;
	PUT(b, 0x1B, 'E', 1);				/* ESC E 1: bold */
	if (st == RS_BIG) {
		PUT(b, 0x1D, '!', 0x01);		/* GS ! 1: double height */
		if (chinese)
			PUT(b, 0x1C, '!', 0x08);	/* FS ! 8: Chinese double height */
	}
}

static void style_off(Bytes *b, ReceiptStyle st, bool chinese)
{
	if (st == RS_PLAIN)
		return;
	if (st == RS_BIG) {
		PUT(b, 0x1D, '!', 0x00);
		if (chinese)
			PUT(b, 0x1C, '!', 0x00);
	}
	PUT(b, 0x1B, 'E', 0);
}

bool receipt_escpos(const ReceiptInfo *r, ReceiptEncoding enc, unsigned char **out, size_t *len)
{
	ReceiptLines l = { 0 };
	Bytes b = { 0 };
	iconv_t cd = NULL;
	bool chinese = enc == RECEIPT_GB18030;

	*out = NULL;
	*len = 0;
	if (chinese) {
		cd = iconv_open("GB18030", "UTF-8");
		if (cd == (iconv_t)-1)
			return false;
	}
	if (!receipt_layout(r, RECEIPT_COLUMNS, &l)) {
		if (cd != NULL)
			iconv_close(cd);
		return false;
	}
	PUT(&b, 0x1B, '@');				/* ESC @: initialise */
	if (chinese)
		PUT(&b, 0x1C, '&');			/* FS &: Chinese character mode */
	else
		PUT(&b, 0x1C, '.');			/* FS .: Chinese mode off */
	for (size_t i = 0; i < l.n; i++) {
		style_on(&b, l.v[i].style, chinese);
		put_text(&b, cd, l.v[i].text);
		style_off(&b, l.v[i].style, chinese);
		PUT(&b, '\n');
	}
	if (chinese)
		PUT(&b, 0x1C, '.');			/* FS .: leave Chinese mode */
	PUT(&b, 0x1B, 'd', 4);				/* ESC d 4: feed four lines */
	PUT(&b, 0x1D, 'V', 66, 0);			/* GS V 66 0: feed and cut */
	receipt_lines_free(&l);
	if (cd != NULL)
		iconv_close(cd);
	if (b.oom) {
		free(b.p);
		return false;
	}
	*out = b.p;
	*len = b.n;
	return true;
}
