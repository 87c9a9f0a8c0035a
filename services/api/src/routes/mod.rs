//! One file per API area. Each declares its routes once with [`routes!`],
//! which gives both the area's `configure(cfg, http)` and its OpenAPI paths
//! (`Doc`), so a route cannot be served undocumented or documented unserved.
//! Handlers only extract, call a use case ([`copmatch_core::Catalog`],
//! [`copmatch_core::Recommender`] and their siblings) and convert. The HTML
//! pages ([`web`]) are not API routes.

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

/// Declares an API area's routes: for each path, its methods, handlers (each
/// with a `#[utoipa::path]`) and what the caller needs ([`crate::auth::Need`]:
/// `get: list @ Recommend`), and optionally app data for that path alone
/// (`$http` names the `HttpSettings` it may read). Expands to `configure`,
/// which registers every path as one resource answering other methods with
/// `method_not_allowed` and every route behind [`crate::auth::admit`]; to
/// `Doc`, the OpenAPI document of exactly those handlers; and to `NEEDS`,
/// from which the document's `security` is written.
macro_rules! routes {
    ($http:ident;
     $($path:literal $([data = $data:expr])? => { $($method:ident : $handler:ident @ $need:ident),+ $(,)? }),+ $(,)?) => {
        /// Registers this area's routes (see `routes!`).
        pub fn configure(
            cfg: &mut actix_web::web::ServiceConfig,
            #[allow(unused_variables)] $http: &$crate::settings::HttpSettings,
        ) {
            $(
                cfg.service(
                    actix_web::web::resource($path)
                        $(.app_data($data))?
                        $(.route(
                            actix_web::web::$method()
                                .to($handler)
                                .wrap(actix_web::middleware::from_fn(|req, next| {
                                    $crate::auth::admit($crate::auth::Need::$need, req, next)
                                })),
                        ))+
                        .default_service(actix_web::web::to(|req: actix_web::HttpRequest| async move {
                            let allow = [$(stringify!($method)),+]
                                .map(str::to_ascii_uppercase)
                                .join(", ");
                            $crate::error::method_not_allowed(&req, &allow)
                        })),
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

        /// What each route (path, method) requires, for the OpenAPI `security`.
        pub const NEEDS: &[(&str, &str, $crate::auth::Need)] =
            &[$($(($path, stringify!($method), $crate::auth::Need::$need)),+),+];
    };
}
pub(crate) use routes;

/// Every API area, in registration order (`communities` registers `import`
/// before `{id}` so that it is not taken for an id).
pub fn configure(
    cfg: &mut actix_web::web::ServiceConfig,
    http: &HttpSettings,
    public_key: Option<&str>,
) {
    recommendations::configure(cfg, http);
    liveness::configure(cfg, http);
    communities::configure(cfg, http);
    health::configure(cfg, http);
    submissions::configure(cfg, http);
    admin::configure(cfg, http);
    users::configure(cfg, http);
    openapi::configure(cfg);
    web::configure(cfg, public_key);
}

/// The OpenAPI document of every area registered by [`configure`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = openapi::ApiDoc::openapi();
    for (area, needs) in [
        (recommendations::Doc::openapi(), recommendations::NEEDS),
        (communities::Doc::openapi(), communities::NEEDS),
        (liveness::Doc::openapi(), liveness::NEEDS),
        (health::Doc::openapi(), health::NEEDS),
        (submissions::Doc::openapi(), submissions::NEEDS),
        (admin::Doc::openapi(), admin::NEEDS),
        (users::Doc::openapi(), users::NEEDS),
    ] {
        doc.merge(area);
        openapi::secure(&mut doc, needs);
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
