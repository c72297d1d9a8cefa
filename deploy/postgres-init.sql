-- One database per service: no service reads another's tables.
CREATE DATABASE carnet_accounts;
CREATE DATABASE carnet_catalog;
CREATE DATABASE carnet_registration;
CREATE DATABASE carnet_passes;
CREATE DATABASE carnet_billing;
CREATE DATABASE carnet_notifications;
CREATE DATABASE carnet_gateway;
