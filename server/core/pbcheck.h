/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pbcheck: checks on unpacked protobuf messages that protobuf-c does not
 * make. protobuf-c 1.4 accepts any bytes in a proto3 string field; every
 * string a till sends must be valid UTF-8 before it reaches a handler or
 * PostgreSQL, so the whole message tree is walked once on arrival. And
 * protobuf-c hands strings over NUL-terminated without their length, so a
 * request is first checked to be exactly what the wire carried
 * (pbcheck_is_exact), which is what catches an embedded NUL.
 */
#ifndef KASSA_PBCHECK_H
#define KASSA_PBCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

/*
 * True if msg, unpacked from wire_len bytes, packs back to exactly
 * wire_len bytes. A string with an embedded NUL byte arrives cut at that
 * byte ("Ab\0cd" is "Ab"; keys "K\0A" and "K\0B" are both "K") and packs
 * shorter; so does any other encoding that is not protobuf's canonical
 * one (a field sent twice, an overlong varint, a proto3 default sent
 * explicitly). Fields this build does not know are kept by protobuf-c
 * and packed back, so they pass. Call it before pbcheck_utf8(), which
 * cannot see past a NUL.
 */
bool pbcheck_is_exact(const ProtobufCMessage *msg, size_t wire_len);

/*
 * Walk msg and every sub-message; return the name of the first string
 * field that is not valid UTF-8, or NULL if all are valid. It sees each
 * string only up to its first NUL byte (see pbcheck_is_exact() above for
 * what refuses those, e.g. tests/fuzz/corpus/request/nul_in_string).
 */
const char *pbcheck_utf8(const ProtobufCMessage *msg);

#endif
