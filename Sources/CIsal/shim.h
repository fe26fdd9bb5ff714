#include <isa-l/igzip_lib.h>

/// The level_buf size Ferry gives isal_deflate at levels 1...3: ISAL_DEF_LVLx_SMALL, one of the
/// documented sizes (16 Ki tokens per block; smaller output than the DEFAULT/LARGE size, measured
/// in docs/performance.md). The ISAL_DEF_LVLx_* sizes are macro expressions Swift cannot import.
/// Returns 0 for any other level.
static inline unsigned int ferry_isal_level_buf_size(int level) {
    switch (level) {
    case 1: return ISAL_DEF_LVL1_SMALL;
    case 2: return ISAL_DEF_LVL2_SMALL;
    case 3: return ISAL_DEF_LVL3_SMALL;
    default: return 0;
    }
}
