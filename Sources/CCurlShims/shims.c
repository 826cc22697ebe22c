#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <string.h>

#include "CCurlShims.h"

// The parentheses around the function names bypass curl's type-checking macros
// (typecheck-gcc.h), which cannot see through these already-typed wrappers.

CURLcode shim_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return (curl_easy_setopt)(handle, option, value);
}

CURLcode shim_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return (curl_easy_setopt)(handle, option, value);
}

CURLcode shim_easy_setopt_ptr(CURL *handle, CURLoption option, const void *value) {
    return (curl_easy_setopt)(handle, option, value);
}

CURLcode shim_easy_setopt_data_callback(CURL *handle, CURLoption option, shim_data_callback callback) {
    return (curl_easy_setopt)(handle, option, callback);
}

CURLcode shim_easy_getinfo_long(CURL *handle, CURLINFO info, long *out) {
    return (curl_easy_getinfo)(handle, info, out);
}

CURLcode shim_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *out) {
    return (curl_easy_getinfo)(handle, info, out);
}

CURLcode shim_easy_getinfo_double(CURL *handle, CURLINFO info, double *out) {
    return (curl_easy_getinfo)(handle, info, out);
}

CURLcode shim_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out) {
    return (curl_easy_getinfo)(handle, info, out);
}

CURLcode shim_easy_getinfo_ptr(CURL *handle, CURLINFO info, void **out) {
    return (curl_easy_getinfo)(handle, info, out);
}

CURLMcode shim_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return (curl_multi_setopt)(multi, option, value);
}

CURLMcode shim_multi_setopt_ptr(CURLM *multi, CURLMoption option, const void *value) {
    return (curl_multi_setopt)(multi, option, value);
}

CURLSHcode shim_share_setopt_long(CURLSH *share, CURLSHoption option, long value) {
    return (curl_share_setopt)(share, option, value);
}

void shim_set_current_thread_name(const char *name) {
#if defined(__linux__)
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = 0;
    pthread_setname_np(pthread_self(), truncated);
#elif defined(__APPLE__)
    pthread_setname_np(name);
#else
    (void)name;
#endif
}
