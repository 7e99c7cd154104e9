// Compiled by ctest `net_forbids_sqlite` with net/'s forced include: it must fail to compile.
#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

int main() {
    return 0;
}
