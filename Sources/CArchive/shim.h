#ifndef LAMBDA_ASYNC_CARCHIVE_SHIM_H
#define LAMBDA_ASYNC_CARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>

// The file-type macros are casts Swift cannot import; expose them as functions.
static inline unsigned int cla_filetype_regular(void) { return AE_IFREG; }
static inline unsigned int cla_filetype_directory(void) { return AE_IFDIR; }
static inline unsigned int cla_filetype_symlink(void) { return AE_IFLNK; }

#endif
