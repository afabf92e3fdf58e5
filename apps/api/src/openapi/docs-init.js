// Vigil's API reference page: Swagger UI (served from node_modules under
// /docs/assets/) rendering the API's own /openapi.json. A file of its own
// rather than an inline script, so the page's CSP can forbid inline scripts.
/* global window, SwaggerUIBundle */
(function () {
  'use strict';

  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    // BaseLayout, without the standalone preset: its top bar draws its logo with an inline <style>, which the CSP refuses.
    layout: 'BaseLayout',
    deepLinking: true,
    // Swagger UI would otherwise send the document to an online validator for its badge.
    validatorUrl: null,
    // Keys typed into "Authorize" stay in this page's memory only.
    persistAuthorization: false,
    tryItOutEnabled: false,
    defaultModelsExpandDepth: 0,
  });
})();
