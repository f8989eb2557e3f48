/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pbcheck: checks on unpacked protobuf messages that protobuf-c does not
 * make. protobuf-c 1.4 accepts any bytes in a proto3 string field; every
 * string a till sends must be valid UTF-8 before it reaches a handler or
 * PostgreSQL, so the whole message tree is walked once on arrival.
 */
#ifndef KASSA_PBCHECK_H
#define KASSA_PBCHECK_H

#include <protobuf-c/protobuf-c.h>

/*
 * Walk msg and every sub-message; return the name of the first string
 * field that is not valid UTF-8, or NULL if all are valid.
 *
 * Known gap: protobuf-c hands strings over NUL-terminated without their
 * length, so a string with an embedded NUL byte arrives cut at that byte
 * and cannot be told apart here (tests/fuzz/corpus/request/nul_in_string).
 */
const char *pbcheck_utf8(const ProtobufCMessage *msg);

#endif
