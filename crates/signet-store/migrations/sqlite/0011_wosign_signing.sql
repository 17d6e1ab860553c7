-- How a WoSignDoc order is signed, fixed when it is created: 'auto' (the background driver
-- signs with each signer's certificate) or 'pages' (each signer signs on its signing page).
-- The driver claims only 'auto' orders.
alter table wosign_order add column signing text not null default 'auto';
