// Non-variadic wrappers over libcurl's variadic option setters and info getters, so Swift can
// call them: one function per argument type that libcurl accepts (long, pointer, curl_off_t,
// callback). Each forwards to the real function and returns its result code unchanged.
#ifndef CCURL_SHIMS_H
#define CCURL_SHIMS_H

#include <curl/curl.h>

/// Signature shared by CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION and CURLOPT_READFUNCTION.
typedef size_t (*shim_data_callback)(char *buffer, size_t size, size_t count, void *userdata);

CURLcode shim_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode shim_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
/// Strings (copied by libcurl), `struct curl_slist *`, `CURLSH *`, user-data and buffer pointers.
CURLcode shim_easy_setopt_ptr(CURL *handle, CURLoption option, const void *value);
CURLcode shim_easy_setopt_data_callback(CURL *handle, CURLoption option, shim_data_callback callback);

CURLcode shim_easy_getinfo_long(CURL *handle, CURLINFO info, long *out);
CURLcode shim_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *out);
CURLcode shim_easy_getinfo_double(CURL *handle, CURLINFO info, double *out);
/// String results point into libcurl's memory and stay valid until the handle is reused.
CURLcode shim_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out);
CURLcode shim_easy_getinfo_ptr(CURL *handle, CURLINFO info, void **out);

CURLMcode shim_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
CURLMcode shim_multi_setopt_ptr(CURLM *multi, CURLMoption option, const void *value);

CURLSHcode shim_share_setopt_long(CURLSH *share, CURLSHoption option, long value);

/// Names the calling thread (for /proc, `top -H` and debuggers) where the platform allows;
/// Linux truncates to 15 bytes. Not libcurl, but needed by the transport's thread and not
/// importable into Swift on Linux (a GNU extension).
void shim_set_current_thread_name(const char *name);

#endif
