// LTI Dynamic Registration: tell the platform's page (which framed us) that we are done.
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
