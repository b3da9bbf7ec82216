exports.handler = async () => ({ isAuthorized: true });
