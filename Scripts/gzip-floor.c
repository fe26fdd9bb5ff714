/*
 * gzip-floor — the hardware limit for Ferry's gzip levels: compresses a file in 2 MiB chunks
 * (as Ferry's ParallelCompressStream does), each chunk one gzip member, on N threads, with
 * libdeflate or ISA-L at a given level, and prints the seconds and the output size. Nothing is
 * read or written during the timing (the file is mapped and pre-faulted; output is discarded),
 * so this is the compression cost alone: what no tool using these libraries can beat.
 *
 * Built and run by `Scripts/bench gzip-floor`:
 *   cc -O2 Scripts/gzip-floor.c -o gzip-floor -ldeflate -lisal -lpthread
 *   gzip-floor FILE libdeflate|isal LEVEL THREADS
 */
#include <fcntl.h>
#include <isa-l.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#define CHUNK (2u << 20)
#define MAX_THREADS 64

static const unsigned char *data;
static size_t size;
static int use_isal, level, threads;
static size_t produced[MAX_THREADS];

static size_t isal_level_buffer(int lvl) {
    switch (lvl) {
    case 1: return ISAL_DEF_LVL1_SMALL;
    case 2: return ISAL_DEF_LVL2_SMALL;
    default: return ISAL_DEF_LVL3_SMALL;
    }
}

static void *worker(void *arg) {
    long id = (long)arg;
    size_t bound = CHUNK + CHUNK / 8 + 4096, total = 0;
    unsigned char *out = malloc(bound);
    struct libdeflate_compressor *deflater = use_isal ? NULL : libdeflate_alloc_compressor(level);
    struct isal_zstream *stream = use_isal ? calloc(1, sizeof *stream) : NULL;
    size_t level_size = use_isal ? isal_level_buffer(level) : 0;
    unsigned char *level_buf = use_isal ? malloc(level_size) : NULL;
    for (size_t at = (size_t)id * CHUNK; at < size; at += (size_t)threads * CHUNK) {
        size_t n = size - at < CHUNK ? size - at : CHUNK;
        if (use_isal) {
            isal_deflate_stateless_init(stream);
            stream->level = level;
            stream->level_buf = level_buf;
            stream->level_buf_size = level_size;
            stream->gzip_flag = IGZIP_GZIP_NO_HDR;
            stream->end_of_stream = 1;
            stream->next_in = (unsigned char *)data + at;
            stream->avail_in = n;
            stream->next_out = out;
            stream->avail_out = bound;
            if (isal_deflate_stateless(stream) != COMP_OK) { fprintf(stderr, "isal failed\n"); exit(1); }
            total += bound - stream->avail_out + 10; /* + the 10-byte header Ferry writes */
        } else {
            size_t got = libdeflate_gzip_compress(deflater, data + at, n, out, bound);
            if (got == 0) { fprintf(stderr, "libdeflate failed\n"); exit(1); }
            total += got;
        }
    }
    produced[id] = total;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s FILE libdeflate|isal LEVEL THREADS\n", argv[0]); return 2; }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) { perror(argv[1]); return 1; }
    size = (size_t)st.st_size;
    data = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (data == MAP_FAILED) { perror("mmap"); return 1; }
    use_isal = strcmp(argv[2], "isal") == 0;
    level = atoi(argv[3]);
    threads = atoi(argv[4]);
    if (threads < 1 || threads > MAX_THREADS) { fprintf(stderr, "threads: 1...%d\n", MAX_THREADS); return 2; }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pthread_t ids[MAX_THREADS];
    for (long i = 0; i < threads; i++) pthread_create(&ids[i], NULL, worker, (void *)i);
    size_t total = 0;
    for (int i = 0; i < threads; i++) { pthread_join(ids[i], NULL); total += produced[i]; }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%s:%d threads=%d seconds=%.3f bytes=%zu\n", argv[2], level, threads,
           (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9, total);
    return 0;
}
