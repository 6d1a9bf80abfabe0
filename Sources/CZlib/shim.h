// zlib for City's gzip reader (.osm.gz). A shim header so the module map needs no absolute path.
#include <zlib.h>
