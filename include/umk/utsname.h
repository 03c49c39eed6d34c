/* The guest's uname (sethostname changes nodename). */
#ifndef UMK_UTSNAME_H
#define UMK_UTSNAME_H
#include <sys/utsname.h>
extern struct utsname init_uts;
#define UMK_RELEASE "6.1.0-umk"
#define UMK_VERSION_STRING "0.1"
#endif
