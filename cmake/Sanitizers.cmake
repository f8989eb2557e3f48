# -DKASSA_SANITIZE=ON builds everything with ASan and UBSan; any UBSan report
# aborts, so a test that triggers undefined behaviour fails.
if(KASSA_SANITIZE)
	add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
		-fno-omit-frame-pointer)
	add_link_options(-fsanitize=address,undefined)
endif()
