# The static release build (LUET_STATIC=ON, preset `release`, scripts/release.sh).
#
# Debian 12 ships static archives (.a) for yaml-cpp, OpenSSL, SQLite, RE2, zstd, zlib, xz and
# bzip2, which are used as they are. It ships none for libsolv, and its libcurl.a and
# libarchive.a need libraries that have no static archive there (nghttp2, psl, ssh2, gssapi, ldap,
# rtmp, acl, lz4), so those are built here from Debian's own source packages (`apt-get source`,
# Debian's patches applied) as ExternalProject sub-builds with only the features luet uses:
#   libsolv     core library only (luet's solver uses no libsolvext reader), with Debian's
#               DEBIAN=1, MULTI_SEMANTICS and COMPLEX_DEPS so versions compare as in the dynamic
#               build
#   c-ares      curl's resolver: reads /etc/hosts, /etc/resolv.conf and the hosts line of
#               /etc/nsswitch.conf itself, so no glibc NSS module is ever loaded (a static glibc
#               getaddrinfo would dlopen the host's libnss_*.so of another glibc version)
#   curl        HTTP and HTTPS (OpenSSL) only, zlib; no HTTP/2, psl, ssh, ldap, idn, brotli;
#               no compiled-in CA path: the transport looks for the bundle at run time
#   libarchive  tar and the compressions (gzip, zstd, xz, bzip2), xattrs; no acl, lz4, xml,
#               crypto libraries
#   cpp-httplib its single header-only httplib.h (Debian installs a split header and a shared
#               library), without TLS or compression: serve-repo serves plain HTTP
# Sources and builds live under <build>/deps; ExternalProject's stamps make a second build of the
# same folder skip them.
#
# The link prints glibc's "Using 'X' in statically linked applications requires at runtime the
# shared libraries..." for functions that would load NSS modules or shared objects. None is
# reached by the client: getaddrinfo (httplib, serve-repo) gets a numeric --address without NSS
# (a host name there goes through NSS), gethostbyname (OpenSSL's BIO) and dlopen (SQLite
# extensions) are unused, and c-ares' getservbyname_r/getservbyport_r only serve non-numeric
# ports. Owner names come from core::UserDb, not getpwnam.

include(ExternalProject)

set(LUET_DEPS_DIR ${CMAKE_BINARY_DIR}/deps)
set(LUET_DEPS_PREFIX ${LUET_DEPS_DIR}/prefix)
file(MAKE_DIRECTORY ${LUET_DEPS_PREFIX}/include ${LUET_DEPS_PREFIX}/lib)

set(_dep_launcher)
if(CCACHE_PROGRAM)
  set(_dep_launcher -DCMAKE_C_COMPILER_LAUNCHER=${CCACHE_PROGRAM} -DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE_PROGRAM})
endif()
# -w: the warnings of Debian's sources built with features turned off (unused functions) are not
# ours to fix.
set(_dep_cmake_args
  --no-warn-unused-cli
  -DCMAKE_BUILD_TYPE=Release
  "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG -ffunction-sections -fdata-sections -w"
  -DCMAKE_INSTALL_PREFIX=${LUET_DEPS_PREFIX}
  -DCMAKE_INSTALL_LIBDIR=lib
  -DCMAKE_INSTALL_INCLUDEDIR=include
  -DCMAKE_PREFIX_PATH=${LUET_DEPS_PREFIX}
  -DBUILD_SHARED_LIBS=OFF
  -DCMAKE_POSITION_INDEPENDENT_CODE=OFF
  ${_dep_launcher})

# Building one target of a sub-build: through $(MAKE) under a Makefile generator, so that it
# shares the parallel jobs of the outer make instead of running alone with -j1.
function(luet_dep_build_target var target)
  if(CMAKE_GENERATOR MATCHES "Makefiles")
    set(${var} "$(MAKE)" ${target} PARENT_SCOPE)
  else()
    set(${var} ${CMAKE_COMMAND} --build <BINARY_DIR> --target ${target} PARENT_SCOPE)
  endif()
endfunction()
luet_dep_build_target(_build_libsolv libsolv)
luet_dep_build_target(_build_libarchive archive_static)

# luet_debian_dep(NAME PACKAGE ARGS...): ExternalProject NAME from Debian's source PACKAGE.
function(luet_debian_dep name package)
  ExternalProject_Add(dep_${name}
    PREFIX ${LUET_DEPS_DIR}/${name}
    SOURCE_DIR ${LUET_DEPS_DIR}/src/${name}
    DOWNLOAD_COMMAND bash ${CMAKE_SOURCE_DIR}/cmake/debian-source.sh ${package} ${LUET_DEPS_DIR}/src/${name}
    UPDATE_COMMAND ""
    ${ARGN})
endfunction()

luet_debian_dep(libsolv libsolv
  CMAKE_ARGS ${_dep_cmake_args}
    -DENABLE_STATIC=ON -DDISABLE_SHARED=ON -DDEBIAN=1 -DMULTI_SEMANTICS=1 -DENABLE_COMPLEX_DEPS=1
    -DENABLE_PERL=OFF -DENABLE_PYTHON=OFF -DENABLE_RUBY=OFF -DENABLE_TCL=OFF
  BUILD_COMMAND ${_build_libsolv}
  INSTALL_COMMAND ${CMAKE_COMMAND} --install <BINARY_DIR>/src
  BUILD_BYPRODUCTS ${LUET_DEPS_PREFIX}/lib/libsolv.a)

luet_debian_dep(cares c-ares
  CMAKE_ARGS ${_dep_cmake_args}
    -DCARES_STATIC=ON -DCARES_SHARED=OFF -DCARES_BUILD_TOOLS=OFF -DCARES_BUILD_TESTS=OFF
  BUILD_BYPRODUCTS ${LUET_DEPS_PREFIX}/lib/libcares.a)

luet_debian_dep(curl curl
  DEPENDS dep_cares
  CMAKE_ARGS ${_dep_cmake_args}
    -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DENABLE_MANUAL=OFF -DHTTP_ONLY=ON
    -DENABLE_ARES=ON -DCURL_USE_OPENSSL=ON -DOPENSSL_USE_STATIC_LIBS=ON -DCURL_ZLIB=ON
    -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DUSE_NGHTTP2=OFF -DUSE_NGTCP2=OFF -DUSE_QUICHE=OFF
    -DUSE_MSH3=OFF -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF -DCURL_USE_GSSAPI=OFF
    -DCURL_DISABLE_LDAP=ON -DCURL_DISABLE_LDAPS=ON -DUSE_LIBIDN2=OFF -DUSE_LIBRTMP=OFF
    -DCURL_DISABLE_NTLM=ON -DCURL_DISABLE_NETRC=ON -DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none -DCURL_CA_FALLBACK=OFF
  BUILD_BYPRODUCTS ${LUET_DEPS_PREFIX}/lib/libcurl.a)

luet_debian_dep(libarchive libarchive
  CMAKE_ARGS ${_dep_cmake_args}
    -DENABLE_ACL=OFF -DENABLE_XATTR=ON -DENABLE_LZ4=OFF -DENABLE_LZO=OFF -DENABLE_LIBXML2=OFF
    -DENABLE_EXPAT=OFF -DENABLE_PCREPOSIX=OFF -DENABLE_LIBGCC=OFF -DENABLE_NETTLE=OFF
    -DENABLE_OPENSSL=OFF -DENABLE_MBEDTLS=OFF -DENABLE_LIBB2=OFF -DENABLE_CNG=OFF
    -DENABLE_ZSTD=ON -DENABLE_ZLIB=ON -DENABLE_LZMA=ON -DENABLE_BZip2=ON -DENABLE_ICONV=ON
    -DENABLE_TAR=OFF -DENABLE_CPIO=OFF -DENABLE_CAT=OFF -DENABLE_TEST=OFF -DENABLE_WERROR=OFF
  BUILD_COMMAND ${_build_libarchive}
  INSTALL_COMMAND ${CMAKE_COMMAND} -E copy <BINARY_DIR>/libarchive/libarchive.a ${LUET_DEPS_PREFIX}/lib/
    COMMAND ${CMAKE_COMMAND} -E copy <SOURCE_DIR>/libarchive/archive.h <SOURCE_DIR>/libarchive/archive_entry.h
      ${LUET_DEPS_PREFIX}/include/
  BUILD_BYPRODUCTS ${LUET_DEPS_PREFIX}/lib/libarchive.a)

luet_debian_dep(httplib cpp-httplib
  CONFIGURE_COMMAND ""
  BUILD_COMMAND ""
  INSTALL_COMMAND ${CMAKE_COMMAND} -E make_directory ${LUET_DEPS_PREFIX}/include/httplib
    COMMAND ${CMAKE_COMMAND} -E copy <SOURCE_DIR>/httplib.h ${LUET_DEPS_PREFIX}/include/httplib/)

# Imported targets over the sub-builds' results, built before anything that links them.
function(luet_static_lib target file deps)
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION ${LUET_DEPS_PREFIX}/lib/${file}
    INTERFACE_INCLUDE_DIRECTORIES ${LUET_DEPS_PREFIX}/include
    INTERFACE_LINK_LIBRARIES "${ARGN}")
  add_dependencies(${target} ${deps})
endfunction()

# The libraries Debian ships as static archives: find_library picks the .a.
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
set(OPENSSL_USE_STATIC_LIBS ON)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
find_library(LUET_ZSTD_A NAMES zstd REQUIRED)
find_library(LUET_LZMA_A NAMES lzma REQUIRED)
find_library(LUET_BZ2_A NAMES bz2 REQUIRED)
find_library(LUET_YAMLCPP_A NAMES yaml-cpp REQUIRED)
find_library(LUET_RE2_A NAMES re2 REQUIRED)
find_path(LUET_YAMLCPP_INCLUDE yaml-cpp/yaml.h REQUIRED)
find_path(LUET_RE2_INCLUDE re2/re2.h REQUIRED)

luet_static_lib(luet_static_solv libsolv.a dep_libsolv)
luet_static_lib(luet_static_cares libcares.a dep_cares)
luet_static_lib(luet_static_curl libcurl.a dep_curl luet_static_cares OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB Threads::Threads)
target_compile_definitions(luet_static_curl INTERFACE CURL_STATICLIB)
luet_static_lib(luet_static_archive libarchive.a dep_libarchive ${LUET_ZSTD_A} ${LUET_LZMA_A} ${LUET_BZ2_A} ZLIB::ZLIB)
add_library(luet_static_httplib INTERFACE)
target_include_directories(luet_static_httplib INTERFACE ${LUET_DEPS_PREFIX}/include/httplib)
add_dependencies(luet_static_httplib dep_httplib)
add_library(luet_static_yamlcpp STATIC IMPORTED GLOBAL)
set_target_properties(luet_static_yamlcpp PROPERTIES IMPORTED_LOCATION ${LUET_YAMLCPP_A}
  INTERFACE_INCLUDE_DIRECTORIES ${LUET_YAMLCPP_INCLUDE})
add_library(luet_static_re2 STATIC IMPORTED GLOBAL)
set_target_properties(luet_static_re2 PROPERTIES IMPORTED_LOCATION ${LUET_RE2_A}
  INTERFACE_INCLUDE_DIRECTORIES ${LUET_RE2_INCLUDE} INTERFACE_LINK_LIBRARIES Threads::Threads)

set(LUET_DEP_TARGETS luet_static_yamlcpp luet_static_archive OpenSSL::Crypto SQLite::SQLite3 luet_static_curl
  Threads::Threads fmt::fmt-header-only nlohmann_json::nlohmann_json luet_static_solv luet_static_re2
  luet_static_httplib ${CMAKE_DL_LIBS} m)
