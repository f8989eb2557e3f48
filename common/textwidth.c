/* SPDX-License-Identifier: Apache-2.0 */
/*
 * textwidth.c: display widths of UTF-8 text (see textwidth.h). The wide
 * ranges are Unicode's East Asian Width W and F blocks as terminals treat
 * them (glibc's wcwidth and ncurses agree on these), the zero-width ones
 * the common combining marks, format characters and variation selectors.
 */
#include <stdbool.h>
#include <string.h>

#include "textwidth.h"

typedef struct Range {
	uint32_t lo, hi;	/* inclusive */
} Range;

static const Range wide[] = {
	{ 0x1100, 0x115F },	/* Hangul Jamo initial consonants */
	{ 0x231A, 0x231B },	/* watch, hourglass */
	{ 0x2329, 0x232A },	/* angle brackets */
	{ 0x23E9, 0x23EC }, { 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 },
	{ 0x25FD, 0x25FE }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 },
	{ 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
	{ 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 },
	{ 0x26CE, 0x26CE }, { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA },
	{ 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 }, { 0x26FA, 0x26FA },
	{ 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
	{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E },
	{ 0x2753, 0x2755 }, { 0x2757, 0x2757 }, { 0x2795, 0x2797 },
	{ 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF }, { 0x2B1B, 0x2B1C },
	{ 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 },
	{ 0x2E80, 0x303E },	/* CJK radicals, symbols and punctuation */
	{ 0x3041, 0x33FF },	/* kana, bopomofo, CJK compatibility */
	{ 0x3400, 0x4DBF },	/* CJK extension A */
	{ 0x4E00, 0x9FFF },	/* CJK unified ideographs */
	{ 0xA000, 0xA4CF },	/* Yi */
	{ 0xA960, 0xA97F },	/* Hangul Jamo extended A */
	{ 0xAC00, 0xD7A3 },	/* Hangul syllables */
	{ 0xF900, 0xFAFF },	/* CJK compatibility ideographs */
	{ 0xFE10, 0xFE19 },	/* vertical forms */
	{ 0xFE30, 0xFE6F },	/* CJK compatibility forms, small forms */
	{ 0xFF00, 0xFF60 },	/* fullwidth forms */
	{ 0xFFE0, 0xFFE6 },	/* fullwidth signs */
	{ 0x16FE0, 0x16FE4 }, { 0x17000, 0x18CFF }, { 0x1B000, 0x1B2FF },
	{ 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E },
	{ 0x1F191, 0x1F19A }, { 0x1F200, 0x1F251 }, { 0x1F260, 0x1F265 },
	{ 0x1F300, 0x1F320 }, { 0x1F32D, 0x1F335 }, { 0x1F337, 0x1F37C },
	{ 0x1F37E, 0x1F393 }, { 0x1F3A0, 0x1F3CA }, { 0x1F3CF, 0x1F3D3 },
	{ 0x1F3E0, 0x1F3F0 }, { 0x1F3F4, 0x1F3F4 }, { 0x1F3F8, 0x1F43E },
	{ 0x1F440, 0x1F440 }, { 0x1F442, 0x1F4FC }, { 0x1F4FF, 0x1F53D },
	{ 0x1F54B, 0x1F54E }, { 0x1F550, 0x1F567 }, { 0x1F57A, 0x1F57A },
	{ 0x1F595, 0x1F596 }, { 0x1F5A4, 0x1F5A4 }, { 0x1F5FB, 0x1F64F },
	{ 0x1F680, 0x1F6C5 }, { 0x1F6CC, 0x1F6CC }, { 0x1F6D0, 0x1F6D2 },
	{ 0x1F6D5, 0x1F6D7 }, { 0x1F6EB, 0x1F6EC }, { 0x1F6F4, 0x1F6FC },
	{ 0x1F7E0, 0x1F7EB }, { 0x1F90C, 0x1F93A }, { 0x1F93C, 0x1F945 },
	{ 0x1F947, 0x1F9FF }, { 0x1FA70, 0x1FAFF },
	{ 0x20000, 0x2FFFD },	/* CJK extensions B-F */
	{ 0x30000, 0x3FFFD },	/* CJK extension G */
};

static const Range zero[] = {
	{ 0x0300, 0x036F },	/* combining diacritical marks */
	{ 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x0610, 0x061A },
	{ 0x064B, 0x065F }, { 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A },
	{ 0x0E47, 0x0E4E },
	{ 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF },
	{ 0x200B, 0x200F },	/* zero-width space, joiners, marks */
	{ 0x202A, 0x202E }, { 0x2060, 0x2064 },
	{ 0x20D0, 0x20FF },	/* combining marks for symbols */
	{ 0x302A, 0x302D },	/* ideographic tone marks */
	{ 0x3099, 0x309A },	/* kana voicing marks */
	{ 0xFE00, 0xFE0F },	/* variation selectors */
	{ 0xFE20, 0xFE2F },	/* combining half marks */
	{ 0xFEFF, 0xFEFF },	/* byte order mark */
	{ 0xE0100, 0xE01EF },	/* variation selectors supplement */
};

static bool in_table(uint32_t cp, const Range *t, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < t[mid].lo)
			hi = mid;
		else if (cp > t[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

int textwidth_cp(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return 0;
	if (cp < 0x300)
		return 1;
	if (in_table(cp, zero, sizeof(zero) / sizeof(zero[0])))
		return 0;
	if (in_table(cp, wide, sizeof(wide) / sizeof(wide[0])))
		return 2;
	return 1;
}

size_t textwidth_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;
	uint32_t c, min;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		n = 2, c = u[0] & 0x1Fu, min = 0x80;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		n = 3, c = u[0] & 0x0Fu, min = 0x800;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		n = 4, c = u[0] & 0x07u, min = 0x10000;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if (len < n)
		goto bad;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (u[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xFFFD;
	return 1;
}

int textwidth_n(const char *s, size_t len)
{
	int w = 0;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;

		i += textwidth_decode(s + i, len - i, &cp);
		w += textwidth_cp(cp);
	}
	return w;
}

int textwidth(const char *s)
{
	return s ? textwidth_n(s, strlen(s)) : 0;
}

size_t textwidth_cut(const char *s, int cells, int *used)
{
	size_t len = s ? strlen(s) : 0, i = 0;
	int w = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = textwidth_decode(s + i, len - i, &cp);
		int cw = textwidth_cp(cp);

		if (w + cw > cells)
			break;
		w += cw;
		i += n;
	}
	if (used)
		*used = w;
	return i;
}

/* Append n spaces to out at *pos, as far as room allows. */
static void put_spaces(char *out, size_t outlen, size_t *pos, int n)
{
	for (; n > 0 && *pos + 1 < outlen; n--)
		out[(*pos)++] = ' ';
}

char *textwidth_pad(char *out, size_t outlen, const char *s, int cells, TextAlign align)
{
	int used = 0, left = 0, right;
	size_t n, pos = 0;

	if (outlen == 0)
		return out;
	if (cells < 0)
		cells = 0;
	n = textwidth_cut(s ? s : "", cells, &used);
	right = cells - used;
	if (align == TEXT_RIGHT) {
		left = right;
		right = 0;
	} else if (align == TEXT_CENTRE) {
		left = right / 2;
		right -= left;
	}
	put_spaces(out, outlen, &pos, left);
	if (n > 0 && pos + 1 < outlen) {
		/* only whole characters: back up to the last boundary that fits */
		size_t room = outlen - 1 - pos;

		if (n > room) {
			n = room;
			while (n > 0 && (((unsigned char)s[n]) & 0xC0) == 0x80)
				n--;
		}
		memcpy(out + pos, s, n);
		pos += n;
	}
	put_spaces(out, outlen, &pos, right);
	out[pos] = '\0';
	return out;
}
