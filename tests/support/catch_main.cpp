// The one Catch2 runner every test executable links (liaise::catch_main).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
