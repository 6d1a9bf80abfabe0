// Aula's window onto libjpeg-turbo's TurboJPEG API (Debian 12: libturbojpeg0-dev 2.1), used to
// encode snapshots from decoded YUV planes without a colour conversion.
#ifndef AULA_CTURBOJPEG_SHIM_H
#define AULA_CTURBOJPEG_SHIM_H
#include <turbojpeg.h>
#endif
