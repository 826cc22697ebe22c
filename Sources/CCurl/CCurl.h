// libcurl for Swift: the system library's headers (curl/curl.h pulls in easy.h, multi.h and
// the option enums). libcurl's variadic setters (curl_easy_setopt, curl_easy_getinfo,
// curl_multi_setopt, curl_share_setopt) are not imported into Swift; the CCurlShims target
// wraps them in typed, non-variadic C functions.
#ifndef CCURL_H
#define CCURL_H
#include <curl/curl.h>
#endif
