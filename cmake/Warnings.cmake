# Warnings for our own code. Generated protobuf code gets its own, milder set
# (see proto/CMakeLists.txt), because protoc-c output is not ours to fix.
set(KASSA_WARNINGS -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
	-Wformat=2 -Wvla -Wconversion -Wno-sign-conversion)
if(KASSA_WERROR)
	list(APPEND KASSA_WARNINGS -Werror)
endif()

# kassa_warnings(target): apply the project warning set to a target.
function(kassa_warnings target)
	target_compile_options(${target} PRIVATE ${KASSA_WARNINGS})
endfunction()
