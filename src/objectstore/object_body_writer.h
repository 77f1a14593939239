#pragma once
// Internal to strato_objectstore: streams an upload's body into an open file in large
// blocks, hashing it on the way (ObjectFiles::Write does the naming, syncing and renaming).
//
// Per 1 MiB block: the body is read until the block is full (one write syscall per MiB
// whatever size the reads come in), MD5 runs on a BackgroundHasher beside the next block's
// read and write once the body is larger than one block. Writes go through the page cache,
// so an object just written is read back from memory (writing with O_DIRECT made PUTs no
// faster on a quiet machine and left every GET after a PUT to read the disk). Every 8 MiB the
// kernel is asked to start writing back (sync_file_range), so the caller's final fsync, which
// decides durability, finds little left to do. Memory: two blocks.

#include <cstdint>

#include "common/status.h"
#include "objectstore/object_files.h"

namespace strato {

// Appends the body from `read` to `fd`; sets out.size, out.md5_hex and (with_sha256)
// out.sha256_hex. Errors: the reader's own, EntityTooLarge past max_size, Internal on I/O.
Status WriteObjectBody(int fd, const ByteReadFn& read, uint64_t max_size, bool with_sha256,
                       WrittenFile& out);

}  // namespace strato
