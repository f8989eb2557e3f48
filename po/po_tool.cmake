# po_tool.cmake: run with cmake -P (see po/CMakeLists.txt).
#
#   MODE=pot    xgettext over SRC's common/, server/ and client/ sources into POT
#               (keywords _ and N_, and call_fail's format: kassad translates it)
#   MODE=check  the same, then msgmerge PO with it (no fuzzy matching) and fail,
#               listing them, if any msgid is untranslated or fuzzy in PO
#
# Variables: SRC, POT, PO (check), XGETTEXT, MSGMERGE, MSGATTRIB, VERSION.
cmake_minimum_required(VERSION 3.25)

function(make_pot)
	file(GLOB_RECURSE files RELATIVE ${SRC}
		${SRC}/common/*.c ${SRC}/common/*.h
		${SRC}/server/*.c ${SRC}/server/*.h
		${SRC}/client/*.c ${SRC}/client/*.h)
	list(SORT files)
	get_filename_component(dir ${POT} DIRECTORY)
	file(MAKE_DIRECTORY ${dir})
	execute_process(
		COMMAND ${XGETTEXT} --language=C --from-code=UTF-8 --keyword=_ --keyword=N_
			--keyword=call_fail:4 --flag=call_fail:4:c-format
			--add-comments=TRANSLATORS: --sort-by-file --package-name=kassa
			--package-version=${VERSION} --msgid-bugs-address=kassa
			--output=${POT} ${files}
		WORKING_DIRECTORY ${SRC}
		RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "xgettext failed (${rc})")
	endif()
	if(NOT EXISTS ${POT})
		# no marked string at all: xgettext writes nothing
		file(WRITE ${POT} "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n")
	endif()
endfunction()

# Print the entries of merged that msgattrib selects with opt; set var to their count.
function(report merged opt what var)
	execute_process(COMMAND ${MSGATTRIB} ${opt} --no-obsolete --no-wrap ${merged}
		OUTPUT_VARIABLE out RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "msgattrib ${opt} failed (${rc})")
	endif()
	# entries = msgid lines, less the header (msgid "" directly followed by msgstr)
	string(REGEX MATCHALL "\nmsgid " ids "\n${out}")
	string(REGEX MATCHALL "\nmsgid \"\"\nmsgstr" hdr "\n${out}")
	list(LENGTH ids n)
	list(LENGTH hdr h)
	math(EXPR n "${n} - ${h}")
	if(n GREATER 0)
		message("${n} ${what} in ${PO}:\n${out}")
	endif()
	set(${var} ${n} PARENT_SCOPE)
endfunction()

make_pot()
if(MODE STREQUAL "pot")
	message(STATUS "wrote ${POT}")
	return()
endif()
get_filename_component(dir ${POT} DIRECTORY)
set(merged ${dir}/merged.po)
execute_process(COMMAND ${MSGMERGE} --quiet --no-fuzzy-matching --no-wrap --output-file=${merged}
		${PO} ${POT}
	RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "msgmerge ${PO} failed (${rc})")
endif()
report(${merged} --untranslated "msgids without a translation" missing)
report(${merged} --only-fuzzy "fuzzy translations" fuzzy)
if(missing GREATER 0 OR fuzzy GREATER 0)
	message(FATAL_ERROR "po_complete: ${missing} untranslated and ${fuzzy} fuzzy msgids: "
		"translate them in ${PO} (the build's kassa-pot target writes the template)")
endif()
message(STATUS "po_complete: every msgid in the sources is translated in ${PO}")
