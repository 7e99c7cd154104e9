# The browser client (web/), type-checked, bundled and embedded in liaise-server as a generated
# C++ table (web/build.mjs). Needs Node.js 20 or later and `npm ci` in web/ (scripts/test and
# scripts/run do both); without them liaise-server is built without the web client and says so.
option(LIAISE_WEB "Embed the browser client (web/) in liaise-server" ON)
set(LIAISE_WEB_DIR ${CMAKE_SOURCE_DIR}/web)
set(LIAISE_WEB_BUILT OFF)
if(LIAISE_WEB)
  find_program(LIAISE_NODE node)
  if(NOT LIAISE_NODE)
    message(WARNING "web client: no node on PATH; liaise-server is built without it "
                    "(install Node.js 20 or later, see docs/development.md)")
  elseif(NOT EXISTS ${LIAISE_WEB_DIR}/node_modules/.package-lock.json)
    message(WARNING "web client: web/node_modules is missing; liaise-server is built without it "
                    "(run: npm ci --ignore-scripts --prefix web, or scripts/test)")
  else()
    execute_process(COMMAND ${LIAISE_NODE} -p "process.versions.node.split('.')[0]"
                    OUTPUT_VARIABLE LIAISE_NODE_MAJOR OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(LIAISE_NODE_MAJOR LESS 20)
      message(WARNING "web client: ${LIAISE_NODE} is Node.js ${LIAISE_NODE_MAJOR}; 20 or later "
                      "is needed; liaise-server is built without the web client")
    else()
      set(LIAISE_WEB_BUILT ON)
    endif()
  endif()
endif()
set(LIAISE_WEB_BUILT ${LIAISE_WEB_BUILT} PARENT_SCOPE)
set(LIAISE_NODE ${LIAISE_NODE} PARENT_SCOPE)

if(LIAISE_WEB_BUILT)
  file(GLOB_RECURSE LIAISE_WEB_SOURCES CONFIGURE_DEPENDS
       ${LIAISE_WEB_DIR}/src/* ${LIAISE_WEB_DIR}/public/*)
  set(LIAISE_WEB_TABLE ${CMAKE_CURRENT_BINARY_DIR}/web_assets_data.cpp)
  # The plain-language engine as WebAssembly ships with the client when it is built
  # (jargon/CMakeLists.txt, LIAISE_WASM); without it the client offers no plain-language help.
  set(web_wasm_args)
  set(web_wasm_files)
  if(TARGET jargon_wasm)
    set(web_wasm_args --wasm ${LIAISE_JARGON_WASM_DIR})
    set(web_wasm_files ${LIAISE_JARGON_WASM_DIR}/liaise_jargon.js
                       ${LIAISE_JARGON_WASM_DIR}/liaise_jargon.wasm)
  endif()
  add_custom_command(
    OUTPUT ${LIAISE_WEB_TABLE}
    COMMAND ${LIAISE_NODE} ${LIAISE_WEB_DIR}/node_modules/typescript/bin/tsc -p ${LIAISE_WEB_DIR}
    COMMAND ${LIAISE_NODE} ${LIAISE_WEB_DIR}/build.mjs --out ${CMAKE_CURRENT_BINARY_DIR}/web
            --cpp ${LIAISE_WEB_TABLE} ${web_wasm_args}
    DEPENDS ${LIAISE_WEB_SOURCES} ${web_wasm_files} ${LIAISE_WEB_DIR}/build.mjs ${LIAISE_WEB_DIR}/tsconfig.json
            ${LIAISE_WEB_DIR}/package-lock.json
    WORKING_DIRECTORY ${LIAISE_WEB_DIR}
    COMMENT "Type-checking and bundling the browser client"
    VERBATIM)
  target_sources(liaise_server PRIVATE ${LIAISE_WEB_TABLE})
  if(TARGET jargon_wasm)
    add_dependencies(liaise_server jargon_wasm)
  endif()
  # The generated table is large and has no warnings worth reading.
  set_source_files_properties(${LIAISE_WEB_TABLE} PROPERTIES COMPILE_OPTIONS "-w")
  target_include_directories(liaise_server PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/net)
else()
  target_sources(liaise_server PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/net/web_assets_none.cpp)
endif()
