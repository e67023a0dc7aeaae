/* lib.h - the tiny library of the unit step's tests (check_unit.c). */
int lib_add(int a, int b);
void lib_hook(void);
