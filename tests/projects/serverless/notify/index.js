exports.handler = async (event) => {
  for (const record of event.Records) {
    console.log("photo ready", record.Sns.Message);
  }
  return { notified: event.Records.length };
};
