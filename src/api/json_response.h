// Setting a JSON answer on an HttpResponse, and Prometheus's API envelope
// ({"status":"success","data":...} or {"status":"error","errorType":...,
// "error":...}) that tend's own API routes use too.
#ifndef TEND_API_JSON_RESPONSE_H_
#define TEND_API_JSON_RESPONSE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "http/server.h"

namespace tend {

inline void SetJson(HttpResponse* res, int status, const nlohmann::json& body) {
  res->status = status;
  res->content_type = "application/json";
  res->body = body.dump();
}

inline void SetApiSuccess(HttpResponse* res, nlohmann::json data) {
  SetJson(res, 200, {{"status", "success"}, {"data", std::move(data)}});
}

// `type` is Prometheus's errorType: bad_data, execution, internal ...
inline void SetApiError(HttpResponse* res, int status, const std::string& type,
                        const std::string& message) {
  SetJson(res, status,
          {{"status", "error"}, {"errorType", type}, {"error", message}});
}

}  // namespace tend

#endif  // TEND_API_JSON_RESPONSE_H_
