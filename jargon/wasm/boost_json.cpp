// Boost.JSON compiled into the WebAssembly module from its header-only sources (the native
// build links libboost_json instead).
#include <boost/json/src.hpp>
