#include <stdio.h>
#include <sys/utsname.h>

int main(void) {
    struct utsname u;
    printf("%s\n", GREETING);
    if (uname(&u) == 0) printf("running on %s %s\n", u.sysname, u.machine);
    return 0;
}
