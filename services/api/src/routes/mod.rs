//! One file per API area. Each declares its routes once with [`routes!`],
//! which gives both the area's `configure(cfg, http)` and its OpenAPI paths
//! (`Doc`), so a route cannot be served undocumented or documented unserved.
//! Handlers only extract, call the domain ([`copmatch_core::CopMatch`] and
//! its siblings) and convert. The HTML pages ([`web`]) are not API routes.

pub mod admin;
pub mod communities;
pub mod health;
pub mod liveness;
pub mod openapi;
pub mod recommendations;
pub mod submissions;
pub mod users;
pub mod web;

use crate::settings::HttpSettings;

/// Declares an API area's routes: for each path, its methods and handlers
/// (each with a `#[utoipa::path]`), and optionally app data for that path
/// alone (`$http` names the `HttpSettings` it may read). Expands to
/// `configure`, which registers every path as one resource answering other
/// methods with `method_not_allowed`, and to `Doc`, the OpenAPI document of
/// exactly those handlers.
macro_rules! routes {
    ($http:ident;
     $($path:literal $([data = $data:expr])? => { $($method:ident : $handler:ident),+ $(,)? }),+ $(,)?) => {
        /// Registers this area's routes (see `routes!`).
        pub fn configure(
            cfg: &mut actix_web::web::ServiceConfig,
            #[allow(unused_variables)] $http: &$crate::settings::HttpSettings,
        ) {
            $(
                cfg.service(
                    actix_web::web::resource($path)
                        $(.app_data($data))?
                        $(.route(actix_web::web::$method().to($handler)))+
                        .default_service(actix_web::web::to($crate::error::method_not_allowed)),
                );
            )+
        }

        /// The OpenAPI paths of exactly the handlers `configure` registers.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($($handler),+),+))]
        pub struct Doc;

        /// The paths `configure` registers, checked against `Doc`'s.
        #[cfg(test)]
        pub const PATHS: &[&str] = &[$($path),+];
    };
}
pub(crate) use routes;

/// Every API area, in registration order (`communities` registers `import`
/// before `{id}` so that it is not taken for an id).
pub fn configure(cfg: &mut actix_web::web::ServiceConfig, http: &HttpSettings) {
    recommendations::configure(cfg, http);
    liveness::configure(cfg, http);
    communities::configure(cfg, http);
    health::configure(cfg, http);
    submissions::configure(cfg, http);
    admin::configure(cfg, http);
    users::configure(cfg, http);
    openapi::configure(cfg);
    web::configure(cfg);
}

/// The OpenAPI document of every area registered by [`configure`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = openapi::ApiDoc::openapi();
    for area in [
        recommendations::Doc::openapi(),
        communities::Doc::openapi(),
        liveness::Doc::openapi(),
        health::Doc::openapi(),
        submissions::Doc::openapi(),
        admin::Doc::openapi(),
        users::Doc::openapi(),
    ] {
        doc.merge(area);
    }
    doc
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use utoipa::OpenApi;

    #[test]
    fn every_registered_path_is_the_path_its_handlers_document() {
        for (area, doc, registered) in [
            (
                "recommendations",
                super::recommendations::Doc::openapi(),
                super::recommendations::PATHS,
            ),
            (
                "liveness",
                super::liveness::Doc::openapi(),
                super::liveness::PATHS,
            ),
            (
                "communities",
                super::communities::Doc::openapi(),
                super::communities::PATHS,
            ),
            (
                "health",
                super::health::Doc::openapi(),
                super::health::PATHS,
            ),
            (
                "submissions",
                super::submissions::Doc::openapi(),
                super::submissions::PATHS,
            ),
            ("admin", super::admin::Doc::openapi(), super::admin::PATHS),
            ("users", super::users::Doc::openapi(), super::users::PATHS),
        ] {
            let documented: BTreeSet<&str> = doc.paths.paths.keys().map(String::as_str).collect();
            let registered: BTreeSet<&str> = registered.iter().copied().collect();
            assert_eq!(documented, registered, "{area}");
        }
    }
}
