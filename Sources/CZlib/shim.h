// The system zlib (inflate and deflate for PNG thumbnails, CRC-32 for PNG chunks). No code of our own here.
#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H

#include <zlib.h>

#endif
