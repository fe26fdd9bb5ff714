// glibc functions Swift's Glibc module leaves out (they need _GNU_SOURCE or <malloc.h>).
// Part of the C library: nothing to link.
#include <malloc.h>
#include <stdint.h>

// <fcntl.h> declares it only under _GNU_SOURCE; this is the same declaration.
int sync_file_range(int fd, int64_t offset, int64_t nbytes, unsigned int flags);

// Start writeback of dirty pages in the range, do not wait (linux/fs.h).
static const unsigned int CGlibcSyncFileRangeWrite = 2;

// <unistd.h> declares it only under _GNU_SOURCE; this is the same declaration (loff_t is int64_t
// on Linux).
long copy_file_range(int fd_in, int64_t *off_in, int fd_out, int64_t *off_out, unsigned long len, unsigned int flags);
